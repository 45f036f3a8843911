/* The short human summary of one results document. */
#ifndef IB_SUMMARY_H
#define IB_SUMMARY_H
#include <stdio.h>
#include <jansson.h>

void ib_print_summary(FILE *f, json_t *doc);

#endif

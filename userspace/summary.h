/* The short human summary of one results document. */
#ifndef IB_SUMMARY_H
#define IB_SUMMARY_H
#include <stdio.h>
#include <jansson.h>

void ib_print_summary(FILE *f, json_t *doc);
/* hist_ns folded into powers of two, one text bar per octave */
void ib_summary_histogram(FILE *f, json_t *hist);

#endif

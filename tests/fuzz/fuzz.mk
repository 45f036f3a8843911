# libFuzzer targets (tests/fuzz/README.md), built with Debian's clang and its
# libFuzzer runtime (libclang-rt-14-dev) in .output/<arch>-fuzz, with ASan
# and UBSan. Included by the Makefile.
#   make fuzz [FUZZ_SECONDS=N]   every target N seconds (default 60)
#   make test-fuzz               the short run of `make check`

FUZZ_OUT := .output/$(HOST_ARCH)-fuzz
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# a small plan limit: the real one (2^26 ops) makes inputs take seconds
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Ibpf -Iuserspace -Itests/fuzz \
	       -DIB_VERSION='"$(VERSION)"' -DIB_GIT='"$(GIT_DESCRIBE)"' -DPLAN_MAX_BYTES='(1ull << 20)' \
	       $(FUZZ_SAN) -fsanitize=fuzzer-no-link
# every library object: the reader and renderers reach the hook catalogue and more
FUZZ_LIB_OBJS := $(patsubst userspace/%.c,$(FUZZ_OUT)/%.o,$(LIB_SRCS)) $(FUZZ_OUT)/wellformed.o
FUZZ_TARGETS ?= fuzz_scenario fuzz_labsmmu fuzz_results fuzz_report_md fuzz_report_html fuzz_report_junit fuzz_report_json
FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/%,$(FUZZ_TARGETS))
FUZZ_SECONDS ?= 60
# make check: 4 s per target (7 targets), plus replaying the seeds
FUZZ_CHECK_SECONDS ?= 4

$(FUZZ_OUT):
	$(Q)mkdir -p $@

$(FUZZ_OUT)/%.o: userspace/%.c | $(FUZZ_OUT) $(SKELS)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(OUTPUT) -MMD -MP -c $< -o $@

$(FUZZ_OUT)/wellformed.o: tests/fuzz/wellformed.c tests/fuzz/wellformed.h | $(FUZZ_OUT)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/fuzz_scenario: tests/fuzz/fuzz_scenario.c $(FUZZ_LIB_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

$(FUZZ_OUT)/fuzz_labsmmu: tests/fuzz/fuzz_labsmmu.c $(FUZZ_LIB_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

fuzz_format = $(if $(findstring md,$(1)),1,$(if $(findstring html,$(1)),2,$(if $(findstring junit,$(1)),3,$(if $(findstring json,$(1)),4,0))))
$(FUZZ_OUT)/fuzz_re%: tests/fuzz/fuzz_report.c $(FUZZ_LIB_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_FORMAT=$(call fuzz_format,$*) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run $(FUZZ_OUT) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

test-fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run $(FUZZ_OUT) $(FUZZ_CHECK_SECONDS) $(FUZZ_TARGETS) | tee $(FUZZ_OUT)/tally-fuzz

-include $(wildcard $(FUZZ_OUT)/*.d)

# iommubench build. `make help` lists the targets.
#   make                 build .output/<arch>/iommubench
#   make STATIC=1        static build (for the lab initramfs)
#   make ARCH=arm64      cross-build with aarch64-linux-gnu-gcc and arm64 multiarch libraries
#   make V=1             show the commands

# a failing test must fail its recipe even when piped through tee
SHELL := /bin/bash
MAKEFLAGS += --no-print-directory
.SHELLFLAGS := -o pipefail -c

HOST_ARCH := $(shell uname -m | sed -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
override ARCH := $(subst aarch64,arm64,$(ARCH))

ifeq ($(ARCH),x86_64)
BPF_ARCH := x86
TRIPLET := x86_64-linux-gnu
else ifeq ($(ARCH),arm64)
BPF_ARCH := arm64
TRIPLET := aarch64-linux-gnu
else
$(error ARCH=$(ARCH) is not supported: use x86_64 or arm64)
endif

ifneq ($(ARCH),$(HOST_ARCH))
CROSS_COMPILE ?= $(TRIPLET)-
endif

OUTPUT := .output/$(ARCH)$(if $(STATIC),-static)$(if $(SANITIZE),-asan)
CC := $(CROSS_COMPILE)gcc
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip

LIBDIR := /usr/lib/$(TRIPLET)
VERSION := 0.1
GIT_DESCRIBE := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP -D_GNU_SOURCE \
	  -I$(OUTPUT) -Ibpf -Iuserspace \
	  -DIB_VERSION='"$(VERSION)"' -DIB_GIT='"$(GIT_DESCRIBE)"'
LDFLAGS := $(if $(CROSS_COMPILE),-L$(LIBDIR))
LDLIBS := -lbpf -lelf -lz -ljansson -linih -lm
ifneq ($(STATIC),)
LDFLAGS += -static
endif
# SANITIZE=1: ASan + UBSan + LeakSanitizer, every report fatal (make
# test-sanitize). clang: one runtime for all three, so every report honours
# ASAN_OPTIONS=log_path (gcc's separate libubsan writes to stderr only)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifneq ($(SANITIZE),)
CC := clang
CFLAGS += -O1 $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif
BPF_CFLAGS := -g -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	      -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Ibpf/$(BPF_ARCH) -Ibpf

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

APP := $(OUTPUT)/iommubench
# parallel jobs of the builds inside make check (compiling only; the tests
# themselves run one after another)
JOBS ?= $(shell nproc)
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
LIB_SRCS := $(filter-out userspace/main.c,$(wildcard userspace/*.c))
LIB_OBJS := $(patsubst userspace/%.c,$(OUTPUT)/%.o,$(LIB_SRCS))
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(TEST_SRCS))

# keep the BPF object: tests open it
.SECONDARY: $(BPF_OBJS)

.PHONY: all deps deps-arm64 test test-unit golden-update test-sanitize fuzz test-fuzz test-report-html test-cross test-lab test-lab-smmuv2 coverage test-coverage check demo clean help bench
.DEFAULT_GOAL := all

all: $(APP)

help:
	@echo "make [STATIC=1] [ARCH=arm64] [V=1]  build iommubench"
	@echo "make deps        install missing Debian packages (scripts/deps.sh)"
	@echo "make test-unit   unprivileged unit tests"
	@echo "make golden-update  rewrite tests/golden/expected/ from today's output (on purpose; review the diff)"
	@echo "make test-sanitize  unit and CLI tests under ASan, UBSan and LeakSanitizer (.output/<arch>-asan)"
	@echo "make fuzz [FUZZ_SECONDS=N]  libFuzzer targets, N seconds each (default 60), corpora tests/fuzz/"
	@echo "make test-report-html  the HTML report rendered in headless Chromium (gnuplot plots)"
	@echo "make test-cross  arm64 cross-build (static) links and is an aarch64 binary"
	@echo "make test-lab    lab tests: boot real kernels in QEMU and assert on counts"
	@echo "make test-lab-smmuv2  the arm64-smmuv2 lab test alone (MMU-500 model; builds its QEMU once)"
	@echo "make coverage    boot every lab target, write the hook coverage table docs/coverage.md"
	@echo "make test-coverage  the committed docs/coverage.md must match what the targets give"
	@echo "make check       deps, build, every test"
	@echo "make bench       benchmarks (tests/bench/*.sh; not part of check): report scaling -> results/bench/"
	@echo "make demo        deps, build, run scenarios/basic.ini in the x86-vtd lab"
	@echo "make clean"

deps:
	$(Q)scripts/deps.sh

deps-arm64:
	$(Q)scripts/deps.sh arm64

$(OUTPUT) $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c bpf/iommubench.h bpf/$(BPF_ARCH)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp
	$(Q)mv $@.tmp $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp
	$(Q)mv $@.tmp $@

# user-space objects that include a skeleton must wait for it
$(LIB_OBJS) $(OUTPUT)/main.o: | $(SKELS)

# the version string is compiled into results.o: rebuild it when git
# describe changes (a stamp rewritten only then), not only when results.c does
GIT_STAMP := $(OUTPUT)/git-describe
$(shell mkdir -p $(OUTPUT) && { [ "$$(cat $(GIT_STAMP) 2>/dev/null)" = "$(GIT_DESCRIBE)" ] || \
	echo "$(GIT_DESCRIBE)" > $(GIT_STAMP); })
$(OUTPUT)/results.o: $(GIT_STAMP)

$(OUTPUT)/%.o: userspace/%.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(APP): $(OUTPUT)/main.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OUTPUT)/tests $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) $< $(LIB_OBJS) $(LDLIBS) -o $@

# the golden tests' helper: the run summary printed again from a document
GOLDEN_SUMMARY := $(OUTPUT)/tests/print-summary
$(GOLDEN_SUMMARY): tests/golden/print-summary.c $(LIB_OBJS) | $(OUTPUT)/tests $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB_OBJS) $(LDLIBS) -o $@

test-unit: $(TEST_BINS) $(APP) $(GOLDEN_SUMMARY)
	$(Q)tests/run-unit $(TEST_BINS) | tee $(OUTPUT)/tally-unit
	$(Q)tests/test-cli.sh $(APP) | tee $(OUTPUT)/tally-cli
	$(Q)tests/test-schema.sh $(APP) $(OUTPUT)/tests | tee $(OUTPUT)/tally-schema
	$(Q)tests/test-report-hostile.sh $(APP) | tee $(OUTPUT)/tally-report-hostile
	$(Q)tests/test-ci-recipes.sh $(APP) | tee $(OUTPUT)/tally-ci-recipes
	$(Q)tests/test-golden.sh $(APP) $(GOLDEN_SUMMARY) | tee $(OUTPUT)/tally-golden

# never part of test-unit or check: the expected files change only on purpose
golden-update: $(APP) $(GOLDEN_SUMMARY)
	$(Q)tests/test-golden.sh $(APP) $(GOLDEN_SUMMARY) --update

# unit and CLI tests again under ASan + UBSan + LeakSanitizer, no recovery:
# every report goes to a log file, and any log file fails the run (a report
# in a command a test expected to fail is not lost)
SAN_OUT := .output/$(HOST_ARCH)-asan
SAN_LOG := $(abspath $(SAN_OUT))/sanitizer-log
SAN_ENV := ASAN_OPTIONS=log_path=$(SAN_LOG)/report:detect_leaks=1:exitcode=99 \
	   UBSAN_OPTIONS=log_path=$(SAN_LOG)/report:print_stacktrace=1:exitcode=99
test-sanitize:
	$(Q)$(MAKE) -j$(JOBS) SANITIZE=1 all $(patsubst tests/unit/%.c,$(SAN_OUT)/tests/%,$(TEST_SRCS))
	$(Q)rm -rf $(SAN_LOG) && mkdir -p $(SAN_LOG)
	$(Q)$(SAN_ENV) tests/run-unit $(patsubst tests/unit/%.c,$(SAN_OUT)/tests/%,$(TEST_SRCS)) \
		> $(SAN_OUT)/tally-unit; $(SAN_ENV) tests/test-cli.sh $(SAN_OUT)/iommubench > $(SAN_OUT)/tally-cli; \
		tests/sanitizer-tally $(SAN_LOG) $(SAN_OUT)/tally-unit $(SAN_OUT)/tally-cli | tee $(SAN_OUT)/tally-sanitize

# the HTML report in headless Chromium: plots present, no NaN (a few seconds)
test-report-html: $(APP)
	$(Q)tests/test-report-html.sh $(APP) | tee $(OUTPUT)/tally-report-html

# the arm64 cross-build links a static aarch64 binary
test-cross: deps-arm64
	$(Q)$(MAKE) -j$(JOBS) ARCH=arm64 STATIC=1 all
	$(Q)tests/check-cross .output/arm64-static/iommubench | tee $(OUTPUT)/tally-cross

# the arm64 lab targets need qemu-system-arm and the arm64 cross-build
# LAB_HOOKS=DIR (make check): each target's first test boot also saves
# `iommubench hooks --json` in DIR, and test-coverage reads it from there
# instead of booting every target again
test-lab: deps-arm64
	$(Q)$(MAKE) -j$(JOBS) STATIC=1 all
	$(Q)$(if $(LAB_HOOKS),IOMMUBENCH_LAB_HOOKS_DIR=$(LAB_HOOKS) )tests/lab/run-all | tee $(OUTPUT)/tally-lab

# the arm64-smmuv2 lab test alone (test-lab runs it with the others): the
# lab's MMU-500 model, in the QEMU lab/qemu/build builds once
test-lab-smmuv2: deps-arm64
	$(Q)$(MAKE) -j$(JOBS) STATIC=1 all
	$(Q)tests/lab/run-all test_arm64-smmuv2.sh | tee $(OUTPUT)/tally-lab-smmuv2

# the hook coverage table: every lab target's `iommubench hooks --json`
coverage: deps-arm64
	$(Q)$(MAKE) STATIC=1 all
	$(Q)scripts/coverage.sh

# the committed table must be what the targets give
test-coverage: deps-arm64
	$(Q)$(MAKE) STATIC=1 all
	$(Q)scripts/coverage.sh --check $(if $(LAB_HOOKS),--reuse $(LAB_HOOKS)) | tee $(OUTPUT)/tally-coverage

# benchmarks, each tests/bench/*.sh (minutes; figures depend on the machine)
bench: $(APP)
	$(Q)tests/bench/run $(APP)

test: test-unit

check: deps
	$(Q)$(MAKE) -j$(JOBS) all $(TEST_BINS)
	$(Q)$(MAKE) test-unit
	$(Q)rm -f $(SAN_OUT)/tally-sanitize $(FUZZ_OUT)/tally-fuzz
	@# a sanitizer or fuzz finding fails the tally below, not the lab tests after it
	-$(Q)$(MAKE) test-sanitize
	-$(Q)$(MAKE) -j$(JOBS) $(FUZZ_BINS)
	-$(Q)$(MAKE) test-fuzz
	$(Q)$(MAKE) test-report-html
	$(Q)$(MAKE) test-cross
	$(Q)rm -rf $(OUTPUT)/lab-hooks
	$(Q)$(MAKE) test-lab LAB_HOOKS=$(abspath $(OUTPUT))/lab-hooks
	$(Q)$(MAKE) test-coverage LAB_HOOKS=$(abspath $(OUTPUT))/lab-hooks
	$(Q)tests/tally $(OUTPUT)/tally-unit $(OUTPUT)/tally-cli $(OUTPUT)/tally-schema $(OUTPUT)/tally-report-hostile $(OUTPUT)/tally-ci-recipes $(OUTPUT)/tally-golden $(OUTPUT)/tally-report-html $(OUTPUT)/tally-cross $(OUTPUT)/tally-lab $(OUTPUT)/tally-coverage \
		$(SAN_OUT)/tally-sanitize $(FUZZ_OUT)/tally-fuzz

demo: deps
	$(Q)$(MAKE) STATIC=1 all
	$(Q)lab/run x86-vtd -- iommubench run scenarios/basic.ini

clean:
	$(call msg,CLEAN,.output)
	$(Q)rm -rf .output

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/tests/*.d)

include tests/fuzz/fuzz.mk

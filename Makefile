# thpscope: eBPF observability for transparent huge pages.
#
#   make            build build/thpscope and the bundled workload
#   make demo       install what is missing, record the bundled workload, report
#   make test       install what is missing, build, run every test (host and
#                   the lab's guests)
#   make vmtest     the integration tests in every guest of the lab
#   make vm-update  move the lab's kernels to the newest of their suites
#   make bench      what thpscope costs a workload, beside bpftrace, perf, ftrace
#   make asan       the CLI, unit tests and fuzz harness with ASan and UBSan
#   make fuzz       fuzz the record reader for FUZZ_SECONDS (default 1800)
#   make vmlinux    regenerate vmlinux/vmlinux.h from Debian sid's kernel BTF
#   make install    PREFIX=/usr/local DESTDIR= (directories: install.mk)

# The version's one source; debian/changelog must agree (tests/static/deb.sh).
VERSION   := $(shell cat VERSION)
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
STATIC    ?=

CC        ?= cc
CLANG     ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL   ?= bpftool
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS    ?= -O2 -g
CFLAGS    += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	     -DTHPSCOPE_VERSION='"$(VERSION)"' -I$(BUILD)/bpf -Ibpf -Iuser
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -fms-extensions \
	     -Wall -Wno-microsoft-anon-tag -Ivmlinux -Ibpf
LIBS      := -lbpf -lelf -lz -ljansson -lm -lpthread
ifneq ($(STATIC),)
# Debian's libmicrohttpd is built with GnuTLS, whose static archive needs
# p11-kit's, which Debian does not ship: the static binaries of the lab's
# guests have no HTTP server (serve says so; report --openmetrics writes
# the same metrics).
LDFLAGS   += -static
LIBS      += -lzstd
CFLAGS    += -DTHPSCOPE_NO_HTTP
else
LIBS      += -lmicrohttpd
endif
# The sanitizer tree: clang with AddressSanitizer and UBSan, every error
# fatal; the objects also carry libFuzzer's coverage, so one tree builds
# the CLI, the unit tests and the fuzz harness.
SANITIZERS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifneq ($(SANITIZE),)
CC        := $(CLANG)
CFLAGS    += $(SANITIZERS) -fsanitize=fuzzer-no-link
LDFLAGS   += $(SANITIZERS)
endif
FUZZ_SECONDS ?= 1800

BPF_FAMILIES := $(patsubst bpf/%.bpf.c,%,$(wildcard bpf/*.bpf.c))
SKELS     := $(patsubst %,$(BUILD)/bpf/%.skel.h,$(BPF_FAMILIES))
USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
LIB_OBJS  := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))

MAN_SRCS  := $(wildcard docs/man/*.scd)
MAN_PAGES := $(patsubst docs/man/%.scd,$(BUILD)/man/%,$(MAN_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOL_SRCS := $(filter-out %.bpf.c,$(wildcard tests/tools/*.c))
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TOOL_SRCS)) \
	     $(BUILD)/tests/thpdev_test $(BUILD)/tests/thpdev_stress

VM_KERNELS := $(shell awk '!/^\#/ { print $$1 }' scripts/vm/kernels.lock)

.PHONY: all man tools static demo test tests vmtest vm-update bench deps vmlinux install \
	uninstall clean asan sanitized fuzz
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/thpscope $(BUILD)/thpload man

man: $(MAN_PAGES)

# scdoc has no include: a line "@include FILE" is replaced by
# docs/man/FILE, a section several pages share.
$(BUILD)/man/%: docs/man/%.scd docs/man/*.scdi | $(BUILD)/man
	awk '/^@include / { f = "docs/man/" $$2; \
		if ((getline l < f) <= 0) { print FILENAME ": cannot include " f >"/dev/stderr"; exit 1 } \
		do print l; while ((getline l < f) > 0); close(f); next } 1' $< >$@.scd
	scdoc <$@.scd >$@
	rm -f $@.scd

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/*.h vmlinux/vmlinux.h | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@	# DWARF is not needed at run time; BTF stays

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BUILD)/user/%.o: user/%.c user/*.h bpf/*.h $(SKELS) | $(BUILD)/user
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/user/main.o: VERSION

$(BUILD)/thpscope: $(USER_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/thpload: workloads/thpload.c | $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -DTHPSCOPE_SRCDIR='"$(CURDIR)"' -o $@ $^ $(LIBS) -lcmocka

# The module's selftests and its stress, run in the guests.
$(BUILD)/tests/thpdev_%: tests/module/thpdev_%.c module/thpdev_uapi.h tests/module/thp_pmd_size.h | $(BUILD)/tests
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

$(BUILD)/tests/fuzz_record: tests/fuzz/fuzz_record.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/tools/%.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# Empty and counting programs on thpscope's tracepoints: the floors scripts/probe-cost
# compares each probe with.
$(BUILD)/tests/probe_floor.bpf.o: tests/tools/probe_floor.bpf.c vmlinux/vmlinux.h | $(BUILD)/tests
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(BUILD)/tests/probe_floor: CFLAGS += -I$(BUILD)/tests
$(BUILD)/tests/probe_floor: tests/tools/probe_floor.c $(BUILD)/tests/probe_floor.skel.h
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS)

$(BUILD)/tests/probe_floor.skel.h: $(BUILD)/tests/probe_floor.bpf.o
	$(BPFTOOL) gen skeleton $< name probe_floor_bpf > $@

$(BUILD) $(BUILD)/bpf $(BUILD)/user $(BUILD)/tests $(BUILD)/man:
	mkdir -p $@

deps:
	scripts/deps.sh build test

demo:
	scripts/deps.sh build test
	$(MAKE) all
	scripts/demo $(BUILD)

tools: $(TOOL_BINS)

tests: all $(UNIT_BINS) $(TOOL_BINS)

# Statically linked binaries for the lab's guests.
static:
	$(MAKE) BUILD=$(BUILD)/static STATIC=1 all tools

asan:
	$(MAKE) BUILD=$(BUILD)/asan SANITIZE=1 sanitized

sanitized: $(BUILD)/thpscope $(UNIT_BINS) $(BUILD)/tests/fuzz_record

fuzz:
	scripts/deps.sh build test
	$(MAKE) asan
	tests/fuzz/run --build $(BUILD)/asan --seconds $(FUZZ_SECONDS) --corpus $(BUILD)/fuzz-corpus

test:
	scripts/timed "dependencies" scripts/deps.sh build test lab
	scripts/timed "build" $(MAKE) -s -j$(shell nproc) tests static asan
	tests/run --build $(BUILD) $(patsubst %,--vm %,$(VM_KERNELS))

vmtest:
	scripts/deps.sh build test lab
	$(MAKE) -s tests static
	@for k in $(VM_KERNELS); do scripts/vm/test --build $(BUILD) $$k | tail -n 1; done

vm-update:
	scripts/vm/update

bench:
	scripts/deps.sh build test bench lab
	$(MAKE) -s all tools static
	scripts/bench --build $(BUILD)
	scripts/bench-maps --build $(BUILD)
	scripts/bench-guest --build $(BUILD) --icount
	scripts/bench-guest --build $(BUILD) --icount --context --runs 2

vmlinux:
	scripts/gen-vmlinux-h vmlinux/vmlinux.h

include install.mk

clean:
	rm -rf $(BUILD)

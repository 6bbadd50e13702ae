# zmem — the one Makefile (no recursion).
#
#   make                      build/zmem-server and build/libzmalloc.a (jemalloc)
#   make MALLOC=tcmalloc|libc choose the allocator under zmalloc
#   make SANITIZER=address|thread   ASan+UBSan or TSan build (in its own build dir)
#   make test                 deps, build, unit tests, integration tests
#   make run                  deps, build, start the server on its defaults (foreground)
#   make bench                benchmarks (numbers, never pass/fail)
#   make valgrind             integration suite with every server under valgrind memcheck
#                             (VG_ONLY="test_a test_b" for a part of it)
#   make soak                 10 minutes of mixed load (SOAK_SECONDS=600): throughput, memory
#   make fuzz                 libFuzzer: the RESP parser, then the server (FUZZ_SECONDS=60 each)
#   make install PREFIX=/usr/local   libzmalloc.a, zmalloc.h and zmalloc.pc
#   make deps                 install the Debian packages that are missing
#
# Include paths are per folder so that a forbidden include fails to compile:
# zmalloc sees only itself, protocol sees zmalloc, the server sees both.

MALLOC    ?= jemalloc
SANITIZER ?=
PREFIX    ?= /usr/local
CC        ?= cc
OPT       ?= -O2
FUZZ_SECONDS ?= 60
VG_SLOW   ?= 10

# Sanitizers interpose malloc themselves; jemalloc/tcmalloc would fight them.
ifneq ($(SANITIZER),)
MALLOC := libc
endif

ifeq ($(SANITIZER)$(MALLOC),jemalloc)
BUILD ?= build
else
BUILD ?= build/$(MALLOC)$(if $(SANITIZER),-$(SANITIZER))
endif

WARN := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings \
        -Wshadow -Wpointer-arith -Wformat=2 -Wno-unused-parameter
ifeq ($(CI),true)
WARN += -Werror
endif

CFLAGS_BASE := -std=gnu11 -g $(OPT) -pthread -MMD -MP $(WARN)

ifeq ($(MALLOC),jemalloc)
ALLOC_DEF  := -DZMALLOC_JEMALLOC
ALLOC_LIBS := -ljemalloc
# Our programs link jemalloc's archive when the system has one (Debian's libjemalloc-dev does):
# the shared libjemalloc.so.2 needs libstdc++, whose start-up code takes an 80 KB emergency
# exception pool from malloc that a C program never uses but allocator_allocated would count.
# The archive's C++ part is never pulled in. Without it, the shared library is used.
JEMALLOC_A := $(shell $(CC) -print-file-name=libjemalloc_pic.a)
ifneq ($(JEMALLOC_A),libjemalloc_pic.a)
ALLOC_LINK := $(JEMALLOC_A)
endif
else ifeq ($(MALLOC),tcmalloc)
ALLOC_DEF  := -DZMALLOC_TCMALLOC
ALLOC_LIBS := -ltcmalloc_minimal
else ifeq ($(MALLOC),libc)
ALLOC_DEF  := -DZMALLOC_LIBC
ALLOC_LIBS :=
else
$(error MALLOC must be jemalloc, tcmalloc or libc)
endif

ifeq ($(SANITIZER),address)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(SANITIZER),thread)
SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
else ifneq ($(SANITIZER),)
$(error SANITIZER must be address or thread)
endif

CFLAGS  := $(CFLAGS_BASE) $(SAN_FLAGS) $(CFLAGS_EXTRA)
LDFLAGS := -pthread $(SAN_FLAGS) $(LDFLAGS_EXTRA)
# ALLOC_LIBS is what a user of the installed libzmalloc.a links (zmalloc.pc); ALLOC_LINK, when
# set, is what this Makefile's own programs link instead.
ALLOC_LINK ?= $(ALLOC_LIBS)
LIBS    := $(ALLOC_LINK) -lm

ZM_INC    := -Izmalloc
PROTO_INC := -Izmalloc -Iprotocol

# server/ is a house of rooms, bottom to top. USES_<room> names what a room may include besides
# itself: zmalloc, protocol, lower rooms, and "libevent" for <event2/...>. A room's include path
# is built from that list, so reaching upwards fails to compile; check-deps checks the same list
# on the sources. main.c, on top of all the rooms, wires them together.
SRV_ROOMS      := base ds types keyspace core metrics commands
USES_base      := zmalloc protocol
USES_ds        := zmalloc
USES_types     := zmalloc protocol base ds
USES_keyspace  := zmalloc protocol base ds types
USES_core      := zmalloc protocol base ds types keyspace libevent
USES_metrics   := zmalloc protocol base ds types keyspace core libevent
USES_commands  := zmalloc protocol base ds types keyspace core metrics
USES_main.c    := zmalloc protocol $(SRV_ROOMS) libevent
room_dir  = $(if $(filter $(1),$(SRV_ROOMS)),server/$(1),$(1))
room_inc  = $(foreach u,$(filter $(SRV_ROOMS),$(1)) $(filter-out libevent,$(USES_$(1))),-I$(call room_dir,$(u)))
room_rule = "$(call room_dir,$(1)):$(foreach u,$(USES_$(1)),$(call room_dir,$(u)))"
DEP_RULES := "zmalloc:" "protocol:zmalloc" $(foreach r,$(SRV_ROOMS),$(call room_rule,$(r))) \
             "server/main.c:$(foreach u,$(USES_main.c),$(call room_dir,$(u)))"
ALL_SRV_INC := -Izmalloc -Iprotocol $(SRV_ROOMS:%=-Iserver/%)
TEST_INC  := $(ALL_SRV_INC) -Itests -Itests/integration

ZM_SRC    := $(wildcard zmalloc/*.c)
PROTO_SRC := $(wildcard protocol/*.c)
SRV_SRC   := $(foreach r,$(SRV_ROOMS),$(wildcard server/$(r)/*.c))
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
BENCH_SRC := $(wildcard bench/*.c)

WEB_DIR   := server/metrics/web
WEB_SRC   := $(filter-out $(WEB_DIR)/embed.c,$(wildcard $(WEB_DIR)/*))
EMBED     := $(BUILD)/tools/embed
PAGE_C    := $(BUILD)/gen/dashboard_page.c
PAGE_OBJ  := $(BUILD)/obj/gen/dashboard_page.o

ZM_OBJ    := $(ZM_SRC:%.c=$(BUILD)/obj/%.o)
PROTO_OBJ := $(PROTO_SRC:%.c=$(BUILD)/obj/%.o)
SRV_OBJ   := $(SRV_SRC:%.c=$(BUILD)/obj/%.o)

LIBZMALLOC := $(BUILD)/libzmalloc.a
LIBRESP    := $(BUILD)/libresp.a
LIBSRV     := $(BUILD)/libzmemsrv.a
SERVER     := $(BUILD)/zmem-server
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
INTEG_BIN  := $(INTEG_SRC:tests/integration/%.c=$(BUILD)/itests/%)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

# Everything a test or tool may link; the linker only pulls what is used.
ALL_LIBS := $(LIBSRV) $(LIBRESP) $(LIBZMALLOC)
# TLS on the metrics port: libevent's OpenSSL bufferevents over OpenSSL.
TLS_LIBS := -levent_openssl -lssl -lcrypto
EXT_LIBS := -levent -levent_pthreads $(TLS_LIBS) -lhiredis -lcmocka $(LIBS)

.PHONY: all test unit integration valgrind run bench soak fuzz install deps clean format format-check \
        check-deps

all: $(SERVER) $(LIBZMALLOC)

$(BUILD)/obj/zmalloc/%.o: zmalloc/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALLOC_DEF) $(ZM_INC) -c $< -o $@

$(BUILD)/obj/protocol/%.o: protocol/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PROTO_INC) -c $< -o $@

# The room is the folder right under server/ (main.c stands for itself).
$(BUILD)/obj/server/%.o: server/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALLOC_DEF) $(call room_inc,$(word 2,$(subst /, ,$<))) -c $< -o $@

$(LIBZMALLOC): $(ZM_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBRESP): $(PROTO_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBSRV): $(SRV_OBJ) $(PAGE_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $(if $^,$^,)

# The dashboard (GET / on the metrics port): server/metrics/web/dashboard.html with the scripts
# and styles it names inlined, as a C array, by web/embed.c, a tool built first for this
# machine. A change to any file in web/ regenerates it; no network, no npm, no xxd.
$(EMBED): $(WEB_DIR)/embed.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -o $@ $<

$(PAGE_C): $(WEB_SRC) $(EMBED)
	@mkdir -p $(@D)
	$(EMBED) $(WEB_DIR)/dashboard.html $@ dashboard_page

# -include: the compiler checks the generated definitions against their declarations.
$(PAGE_OBJ): $(PAGE_C) server/metrics/dashboard_page.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -include server/metrics/dashboard_page.h -c $< -o $@

$(SERVER): $(BUILD)/obj/server/main.o $(LIBSRV) $(LIBRESP) $(LIBZMALLOC)
	$(CC) $(LDFLAGS) -o $@ $^ -levent -levent_pthreads $(TLS_LIBS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALLOC_DEF) $(TEST_INC) -o $@ $< $(ALL_LIBS) $(LDFLAGS) $(EXT_LIBS)

$(BUILD)/itests/%: tests/integration/%.c $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALLOC_DEF) $(TEST_INC) -o $@ $< $(ALL_LIBS) $(LDFLAGS) $(EXT_LIBS)

$(BUILD)/bench/%: bench/%.c $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALLOC_DEF) $(TEST_INC) -o $@ $< $(ALL_LIBS) $(LDFLAGS) $(EXT_LIBS)

deps:
	@sh .ci/deps

unit: $(UNIT_BIN)
	@BUILD=$(BUILD) sh tests/run-unit.sh $(UNIT_BIN)

integration: $(SERVER) $(INTEG_BIN)
	@BUILD=$(BUILD) SANITIZER=$(SANITIZER) ZMEM_MALLOC=$(MALLOC) sh tests/integration/run.sh

# 'test' first makes sure the machine has what it needs, then builds and runs everything.
# Without root, missing packages are named and the run goes on: the tests that need a missing
# optional tool say SKIP and are counted. Under CI=true (CI installs everything) it stops.
test:
	@sh .ci/deps || [ "$(CI)" != true ]
	@$(MAKE) --no-print-directory check-deps
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration

# The integration suite with every server it starts under valgrind memcheck: the libc-malloc
# build (jemalloc hides heap blocks from memcheck), started through tests/valgrind-server.sh,
# with the harnesses' waits scaled by ZMEM_TEST_SLOW=VG_SLOW for a server ~20-50x slower.
# Passes only if the suite passes and every memcheck log (build/libc/valgrind/vg-<pid>.log)
# has an ERROR SUMMARY of 0 and no definite/indirect leak; a log without a summary (a server
# killed before its exit checks) fails too. tests/valgrind.supp: third-party noise only.
# Left out (VG_SKIP): test_keyspace's test_counters and test_hashes, because memcheck computes
# long double as double, so INCRBYFLOAT/HINCRBYFLOAT round differently and "inf" overflows to
# a finite value; the rest of the suite runs. About 5 minutes on 2 CPUs to itself (8 when
# shared with other loads, where a few timing checks may also fail).
VG_DIR  := build/libc/valgrind
VG_SKIP := test_keyspace:test_counters test_keyspace:test_hashes
# VG_ONLY="test_a test_b.sh" runs just those (CI runs a subset that fits its time: .ci/run).
VG_ONLY ?=
valgrind:
	@command -v valgrind >/dev/null || { echo "valgrind: not installed (make deps)"; exit 1; }
	@$(MAKE) --no-print-directory MALLOC=libc all
	@$(MAKE) --no-print-directory MALLOC=libc $(INTEG_SRC:tests/integration/%.c=build/libc/itests/%)
	@rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)
	@BUILD=build/libc ZMEM_MALLOC=libc ZMEM_TEST_SLOW=$(VG_SLOW) ZMEM_TEST_SKIP="$(VG_SKIP)" \
	    ZMEM_TEST_ONLY="$(VG_ONLY)" \
	    ZMEM_SERVER=tests/valgrind-server.sh ZMEM_VG_SERVER=build/libc/zmem-server \
	    ZMEM_VG_LOGDIR=$(VG_DIR) sh tests/integration/run.sh; \
	suite=$$?; \
	bad=$$(grep -lE 'ERROR SUMMARY: [1-9]|(definitely|indirectly) lost: [1-9]' $(VG_DIR)/vg-*.log; \
	    grep -L 'ERROR SUMMARY' $(VG_DIR)/vg-*.log); \
	for f in $$bad; do echo "=== $$f"; cat "$$f"; done; \
	echo "valgrind: $$(ls $(VG_DIR) | wc -l) server runs, $$(echo $$bad | wc -w) with memcheck errors, leaks or no summary"; \
	[ $$suite -eq 0 ] && [ -z "$$bad" ]

run: deps
	@$(MAKE) --no-print-directory all
	$(SERVER) $(ARGS)

bench: deps
	@$(MAKE) --no-print-directory OPT=-O2 all $(BENCH_BIN)
	@BUILD=$(BUILD) sh bench/run.sh

# Not part of 'bench': it takes SOAK_SECONDS (600 by default). Exit 1 only if the server died or
# stopped answering PING.
SOAK_SECONDS ?= 600
soak: deps
	@$(MAKE) --no-print-directory OPT=-O2 all
	@BUILD=$(BUILD) SOAK_SECONDS=$(SOAK_SECONDS) sh bench/soak.sh

# Two libFuzzer targets: the RESP parser alone, and the whole server in process (fuzz_server.c:
# parser, dispatch, keyspace, INFO/MEMORY over a socketpair). The second links the server, built
# again with clang and the fuzzer's coverage and ASan/UBSan into build/fuzz (same include rules).
FUZZ_DIR   := build/fuzz
FUZZ_CC    := clang
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 -std=gnu11 -pthread -MMD -MP $(WARN) $(FUZZ_SAN) -DZMALLOC_LIBC
FUZZ_OBJ   := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(ZM_SRC) $(PROTO_SRC) $(SRV_SRC)) \
              $(FUZZ_DIR)/obj/gen/dashboard_page.o
FUZZ_LIB   := $(FUZZ_DIR)/libzmemfuzz.a
FUZZ_BIN   := $(FUZZ_DIR)/fuzz_resp_parse $(FUZZ_DIR)/fuzz_server
FUZZ_ARGS  := -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -malloc_limit_mb=512 -print_final_stats=1

fuzz: deps $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus/resp_parse $(FUZZ_DIR)/corpus/server
	$(FUZZ_DIR)/fuzz_resp_parse $(FUZZ_ARGS) $(FUZZ_DIR)/corpus/resp_parse tests/fuzz/corpus/resp_parse
	$(FUZZ_DIR)/fuzz_server $(FUZZ_ARGS) $(FUZZ_DIR)/corpus/server tests/fuzz/corpus/server

$(FUZZ_DIR)/fuzz_resp_parse: tests/fuzz/fuzz_resp_parse.c $(PROTO_SRC) $(ZM_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -std=gnu11 -pthread -fsanitize=fuzzer $(FUZZ_SAN) -DZMALLOC_LIBC \
	    $(TEST_INC) -o $@ $^

$(FUZZ_DIR)/obj/zmalloc/%.o: zmalloc/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(ZM_INC) -c $< -o $@

$(FUZZ_DIR)/obj/protocol/%.o: protocol/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PROTO_INC) -c $< -o $@

$(FUZZ_DIR)/obj/server/%.o: server/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    $(call room_inc,$(word 2,$(subst /, ,$<))) -c $< -o $@

$(FUZZ_DIR)/obj/gen/dashboard_page.o: $(PAGE_C) server/metrics/dashboard_page.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -include server/metrics/dashboard_page.h -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_server: tests/fuzz/fuzz_server.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(ALL_SRV_INC) -o $@ $< $(FUZZ_LIB) \
	    -levent -levent_pthreads $(TLS_LIBS) -lm

-include $(FUZZ_OBJ:.o=.d)

install: $(LIBZMALLOC)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(LIBZMALLOC) $(DESTDIR)$(PREFIX)/lib/libzmalloc.a
	install -m 644 zmalloc/zmalloc.h $(DESTDIR)$(PREFIX)/include/zmalloc.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@ALLOC_LIBS@|$(ALLOC_LIBS)|' zmalloc/zmalloc.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/zmalloc.pc

# The rules above, checked on the sources (after a self-test that a violation is caught).
check-deps:
	@sh tests/check-deps.sh --self-test
	@sh tests/check-deps.sh . $(DEP_RULES)
	@sh tests/check-deps.sh --headers . $(SRV_ROOMS:%=server/%)

# Every C file the project owns, for clang-format (.clang-format holds the style).
FORMAT_SRC = $(shell find zmalloc protocol server tests bench -name '*.[ch]' -not -path 'tests/fuzz/corpus/*')

format:
	clang-format -i $(FORMAT_SRC)

# Fails, naming the files, when any differs from what 'make format' would write.
format-check:
	@if ! command -v clang-format >/dev/null; then \
	    if [ "$(CI)" = true ]; then echo "format-check: clang-format is not installed"; exit 1; fi; \
	    echo "format-check: SKIPPED: clang-format is not installed"; exit 0; fi; \
	bad=$$(for f in $(FORMAT_SRC); do clang-format "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "format-check: not formatted (run make format):"; \
	    echo "$$bad" | sed 's/^/  /'; exit 1; fi; echo "format-check: ok"

clean:
	rm -rf build

# Header dependencies of every object, test, tool and benchmark built here.
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# memreport - build, test and demo.
#   make            build memreport and memsim (in $(BUILD), linked to ./)
#   make check      build and run every test
#   make demo       run the main job on data/example
#   make deps       install the Debian build dependencies (as root)
#   make SANITIZE=1 check   the same under ASan + UBSan (build dir build-san)
#   make clang-check        the same under clang's UBSan (build dir build-clang)
#   make fuzz FUZZ_SECONDS=N  build the libFuzzer targets of tests/fuzz/ with
#                           clang (ASan + UBSan) and run each for N s in turn

CC ?= cc
CXX ?= c++
PKG_CONFIG ?= pkg-config
PKGS := cairo fontconfig jansson sqlite3 libcmark-gfm libctemplate zlib libzstd libpng libdeflate

DEB_BUILD := build-essential pkg-config libcsv-dev libcairo2-dev libfontconfig-dev \
	libctemplate-dev libsqlite3-dev libjansson-dev libcmark-gfm-dev \
	libcmark-gfm-extensions-dev zlib1g-dev libzstd-dev libpng-dev libdeflate-dev fonts-dejavu-core fontconfig
DEB_TEST := sqlite3 libxml2-utils chromium strace valgrind clang libclang-rt-14-dev

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT ?= -O1 -g
else
BUILD ?= build
SANFLAGS :=
OPT ?= -O2 -g
endif

# Expanded when used, not when make starts, so `make deps demo` on a fresh
# machine sees the packages that `deps` just installed.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# generator/ is one folder per stage (docs/architecture.md); headers are
# included by bare name, so every stage folder is on the include path and
# tools/check-layers.sh keeps the includes pointing down the stage order.
STAGES := base model ingest analysis archive writers publish cli
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(STAGES:%=-Igenerator/%) -Icharts
# Where templates/ and assets/ are found at run time (env MEMREPORT_DATA_DIR overrides).
CPPFLAGS += -DMEMREPORT_DATA_DIR=\"$(CURDIR)\"
CFLAGS ?= $(OPT)
CFLAGS += -std=c11 -Wall -Wextra -pthread $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
CXXFLAGS ?= $(OPT)
CXXFLAGS += -std=c++17 -Wall -Wextra $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS += -pthread $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lcmark-gfm-extensions -lcsv -lstdc++ -lm

# One static library per stage, linked from the top of the order down, so a
# call that runs backwards (a lower stage using a higher one) fails to link.
LINK_ORDER := publish writers archive analysis ingest model charts base
stage_src = $(filter-out generator/cli/main.c,$(wildcard generator/$(1)/*.c)) $(wildcard generator/$(1)/*.cc)
stage_obj = $(patsubst %.cc,$(BUILD)/%.o,$(patsubst %.c,$(BUILD)/%.o,$(call stage_src,$(1))))
CHART_SRC := $(wildcard charts/*.c)
CLI_OBJ := $(call stage_obj,cli)
STAGE_LIBS := $(LINK_ORDER:%=$(BUILD)/lib/lib%.a)

TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

ifeq ($(SANITIZE),1)
all: $(BUILD)/memreport $(BUILD)/memsim $(EXT)
else
all: $(BUILD)/memreport $(BUILD)/memsim $(EXT)
	@ln -sf $(BUILD)/memreport memreport
	@ln -sf $(BUILD)/memsim memsim
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

define stage_lib
$(BUILD)/lib/lib$(1).a: $(if $(filter charts,$(1)),$(CHART_SRC:%.c=$(BUILD)/%.o),$(call stage_obj,$(1)))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach s,$(LINK_ORDER),$(eval $(call stage_lib,$(s))))

$(BUILD)/memreport: $(BUILD)/generator/cli/main.o $(CLI_OBJ) $(STAGE_LIBS)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/memsim: $(BUILD)/sim/memsim.o $(STAGE_LIBS)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Only the tests see tests/ (harness.h, fixtures).
$(BUILD)/tests/unit/%.o: CPPFLAGS += -Itests
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(CLI_OBJ) $(STAGE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The sqlite extension that decodes the archive's packed samples for the
# sqlite3 shell (docs/archive.md): .load build/memreport_samples
EXT := $(BUILD)/memreport_samples.so
EXT_SRC := generator/archive/ext/memreport_samples.c generator/archive/samplecol.c generator/base/util.c
$(EXT): $(EXT_SRC)
	$(CC) $(CPPFLAGS) $(filter-out -MMD -MP $(SANFLAGS),$(CFLAGS)) -fPIC -shared $(EXT_SRC) \
		$(shell $(PKG_CONFIG) --libs libzstd zlib 2>/dev/null) -o $@

tests: $(TEST_BIN) $(EXT)

# Rejects an include or a call that points up the stage order
# (tools/check-layers.sh).
layers: $(STAGE_LIBS)
	@sh tools/check-layers.sh . $(BUILD)

check: layers all tests
	@TEST_SANITIZED=$(SANITIZE) sh tests/run.sh $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=]: the program in PREFIX/bin, its
# templates and assets in PREFIX/share/memreport, where the installed binary
# finds them (MEMREPORT_DATA_DIR overrides).
PREFIX ?= /usr/local
DATADIR = $(PREFIX)/share/memreport
install: $(BUILD)/memreport $(EXT)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DATADIR)/assets
	install -m 755 $(BUILD)/memreport $(DESTDIR)$(PREFIX)/bin/memreport
	install -m 755 $(EXT) $(DESTDIR)$(DATADIR)/memreport_samples.so
	install -m 644 templates/*.tpl $(DESTDIR)$(DATADIR)/templates/
	install -m 644 assets/* $(DESTDIR)$(DATADIR)/assets/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/memreport
	rm -rf $(DESTDIR)$(DATADIR)

demo: all
	./$(BUILD)/memreport build data/example

# Regenerates the bundled example from the simulator (deterministic).
example: all
	sh sim/make-example.sh $(BUILD)/memsim data/example

deps:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_BUILD); \
	else \
		echo "run as root: apt-get update && apt-get install -y --no-install-recommends $(DEB_BUILD)"; \
	fi

# The browser audit's driver and axe-core come from npm, pinned by
# tests/browser/package-lock.json, into tests/browser/node_modules.
deps-test:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_BUILD) $(DEB_TEST); \
		command -v npm >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm; \
	else \
		echo "run as root: apt-get update && apt-get install -y --no-install-recommends $(DEB_BUILD) $(DEB_TEST)"; \
	fi
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund; \
	else \
		echo "npm not found: the browser audit will skip"; \
	fi

# clang's UBSan finds what gcc's does not (a zero offset applied to NULL).
# vptr checks need the C++ runtime at link time, which $(CC) does not add.
CLANG_UBSAN := -fsanitize=undefined -fno-sanitize=vptr -fno-sanitize-recover=all -fno-omit-frame-pointer
clang-check:
	$(MAKE) SANITIZE=1 BUILD=build-clang CC=clang CXX=clang++ SANFLAGS="$(CLANG_UBSAN)" check

# libFuzzer targets (tests/fuzz/fuzz_*.c): the stage libraries built again
# by clang with ASan + UBSan and coverage, each target linked by clang++.
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz-build:
	$(MAKE) SANITIZE=1 BUILD=build-fuzz CC=clang CXX=clang++ \
		SANFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-targets
fuzz-targets: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
$(BUILD)/tests/fuzz/%.o: CPPFLAGS += -Itests/fuzz
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(STAGE_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@
fuzz: fuzz-build
	sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build build-san build-clang build-fuzz memreport memsim

.PHONY: all tests layers check clang-check fuzz fuzz-build fuzz-targets install uninstall \
	demo example deps deps-test clean
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

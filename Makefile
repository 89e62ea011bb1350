# memreport - build, test and demo.
#   make            build memreport and memsim (in $(BUILD), linked to ./)
#   make check      build and run every test
#   make demo       run the main job on data/example
#   make deps       install the Debian build dependencies (as root)
#   make SANITIZE=1 check   the same under ASan + UBSan (build dir build-san)

CC ?= cc
CXX ?= c++
PKG_CONFIG ?= pkg-config
PKGS := cairo fontconfig jansson sqlite3 libcmark-gfm libctemplate

DEB_BUILD := build-essential pkg-config libcsv-dev libcairo2-dev libfontconfig-dev \
	libctemplate-dev libsqlite3-dev libjansson-dev libcmark-gfm-dev \
	libcmark-gfm-extensions-dev fonts-dejavu-core fontconfig
DEB_TEST := sqlite3 libxml2-utils chromium

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

CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Igenerator -Icharts -Itests
# Where templates/ and assets/ are found at run time (env MEMREPORT_DATA_DIR overrides).
CPPFLAGS += -DMEMREPORT_DATA_DIR=\"$(CURDIR)\"
CFLAGS ?= $(OPT)
CFLAGS += -std=c11 -Wall -Wextra $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
CXXFLAGS ?= $(OPT)
CXXFLAGS += -std=c++17 -Wall -Wextra $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lcmark-gfm-extensions -lcsv -lstdc++ -lm

GEN_SRC := $(filter-out generator/main.c,$(wildcard generator/*.c))
GEN_CXX := $(wildcard generator/*.cc)
CHART_SRC := $(wildcard charts/*.c)
LIB_OBJ := $(GEN_SRC:%.c=$(BUILD)/%.o) $(GEN_CXX:%.cc=$(BUILD)/%.o) $(CHART_SRC:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libmemreport.a

TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

ifeq ($(SANITIZE),1)
all: $(BUILD)/memreport $(BUILD)/memsim
else
all: $(BUILD)/memreport $(BUILD)/memsim
	@ln -sf $(BUILD)/memreport memreport
	@ln -sf $(BUILD)/memsim memsim
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/memreport: $(BUILD)/generator/main.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/memsim: $(BUILD)/sim/memsim.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

tests: $(TEST_BIN)

check: all tests
	@sh tests/run.sh $(BUILD)

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

deps-test:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_BUILD) $(DEB_TEST); \
	else \
		echo "run as root: apt-get update && apt-get install -y --no-install-recommends $(DEB_BUILD) $(DEB_TEST)"; \
	fi

clean:
	rm -rf build build-san memreport memsim

.PHONY: all tests check demo example deps deps-test clean
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

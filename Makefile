# calmilter - one non-recursive GNU Makefile.
#
#   make run      install what is missing, build, start the daemon (foreground)
#   make check    install what the tests need, build, run every test
#   make          build build/calmilter and build/calnorm
#   make install  PREFIX=/usr/local DESTDIR=
#   make deb      build/calmilter_VERSION_ARCH.deb (debhelper, debian/)
#   make clean
#
# CFLAGS/CPPFLAGS/LDFLAGS from the environment are kept (dpkg-buildflags);
# the project's own flags live in separate variables.

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
MANDIR	?= $(PREFIX)/share/man
UNITDIR	?= /lib/systemd/system
DESTDIR	?=

CC	?= cc
B	:= build
VERSION	:= 0.1.0

PKGS	:= gmime-3.0 glib-2.0 libical icu-uc icu-i18n libseccomp
WARN	:= -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
	   -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes \
	   -Wmissing-declarations -Wold-style-definition -Wvla -Wundef \
	   -Wimplicit-fallthrough
HARDEN	:= -fstack-protector-strong -fstack-clash-protection -fPIE \
	   -D_FORTIFY_SOURCE=2
OPT	?= -O2 -g
SAN	?=	# sanitizer flags of a variant build (build-asan/, build-fuzz/...)
ALL_CFLAGS = -std=gnu17 $(WARN) $(OPT) $(HARDEN) \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	   -DCALMILTER_VERSION='"$(VERSION)"' \
	   $(if $(DEVELOPER),-Werror) $(SAN) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(SAN) $(LDFLAGS)
LIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CAL_SRC	:= $(sort $(wildcard ical/*.c))
MIME_SRC := $(sort $(wildcard mime/*.c))
CONF_SRC := $(sort $(wildcard conf/*.c))
DAEMON_SRC := $(sort $(filter-out milter/calnorm%.c,$(wildcard milter/*.c)))
CALNORM_SRC := milter/calnorm.c milter/calnorm_diff.c milter/log.c \
	       milter/milt_policy.c

CAL_OBJ	:= $(CAL_SRC:%.c=$(B)/%.o)
MIME_OBJ := $(MIME_SRC:%.c=$(B)/%.o)
CONF_OBJ := $(CONF_SRC:%.c=$(B)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(B)/%.o)
CALNORM_OBJ := $(CALNORM_SRC:%.c=$(B)/%.o)

LIBCAL	:= $(B)/libcal.a
LIBMIME	:= $(B)/libmime.a
LIBCONF	:= $(B)/libconf.a

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all check run install uninstall clean deps deps-build deps-check conf-example \
	unit corpus milter e2e lint asan privileges unit-security \
	bench-pool bench-pool-tiny fault bench bench-tiny \
	fuzz fuzz-bin fuzz-build fuzz-check fuzz-replay valgrind tsan load
.PHONY: e2e-postfix e2e-sendmail sendmail-tree

all: $(B)/calmilter $(B)/calnorm

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBCAL): $(CAL_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(LIBMIME): $(MIME_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(LIBCONF): $(CONF_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/calmilter: $(DAEMON_OBJ) $(LIBMIME) $(LIBCAL) $(LIBCONF)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lmilter -lpthread

$(B)/calnorm: $(CALNORM_OBJ) $(LIBMIME) $(LIBCAL) $(LIBCONF)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/%: tests/unit/%.c $(LIBMIME) $(LIBCAL) $(LIBCONF) $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -DSRCDIR='"$(CURDIR)"' \
	    -DBUILDDIR='"$(CURDIR)/$(B)"' -MMD -MP -o $@ $< \
	    $(LIBMIME) $(LIBCAL) $(LIBCONF) $(LIBS) -lcmocka

# the pool's test runs real workers: build/calmilter -W 3
$(B)/tests/test_milter_pool: $(B)/calmilter

# conf/calmilter.conf is generated from the key table (conf/conf_table.c)
$(B)/conf-example: conf/gen/example.c $(LIBCONF)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^
# and so is the key list of its man page, conf/calmilter.conf.5
$(B)/conf-man: conf/gen/man.c $(LIBCONF)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^
conf-example: $(B)/conf-example $(B)/conf-man
	$(B)/conf-example > conf/calmilter.conf
	$(B)/conf-man < conf/calmilter.conf.5 > $(B)/calmilter.conf.5.new
	mv $(B)/calmilter.conf.5.new conf/calmilter.conf.5

-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)

# ---- packages -------------------------------------------------------------
# Debian 12 package names. deps-* install only what is missing.
BUILD_PKGS := gcc make pkg-config libc6-dev libmilter-dev libgmime-3.0-dev \
	      libical-dev libicu-dev libseccomp-dev
CHECK_PKGS := $(BUILD_PKGS) libcmocka-dev postfix miltertest universal-ctags \
	      procps systemd
# the Sendmail e2e test: m4 builds sendmail.cf; the unpacked binary's libraries
CHECK_PKGS += m4 libwrap0 libldap-2.5-0
# the man pages' lint
CHECK_PKGS += mandoc
# make deb and its lintian
CHECK_PKGS += build-essential debhelper dpkg-dev lintian
# fuzzing (clang, libFuzzer), ThreadSanitizer, valgrind
CHECK_PKGS += clang-14 libclang-rt-14-dev llvm-14 valgrind
APT_ENV := DEBIAN_FRONTEND=noninteractive

define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "missing packages:$$missing (run as root to install them)" >&2; \
	    exit 1; fi; \
	  echo "installing:$$missing"; \
	  echo 'postfix postfix/main_mailer_type select No configuration' \
	    | debconf-set-selections 2>/dev/null || true; \
	  $(APT_ENV) apt-get update -qq && \
	  $(APT_ENV) apt-get install -y -qq --no-install-recommends $$missing \
	    >/dev/null || exit 1; fi
endef

deps-build:
	$(call install_missing,$(BUILD_PKGS))
deps-check:
	$(call install_missing,$(CHECK_PKGS))
deps: deps-check

# ---- run ------------------------------------------------------------------
run: deps-build
	@if [ "$$(id -u)" = 0 ] && ! getent passwd calmilter >/dev/null; then \
	  echo "creating system user calmilter"; \
	  useradd --system --home-dir /nonexistent --no-create-home \
	    --shell /usr/sbin/nologin calmilter; fi
	$(MAKE) all
	exec $(B)/calmilter -f -c conf/calmilter.conf

# ---- tests ----------------------------------------------------------------
# the tests build with -Werror: a new warning fails CI, not a distro build.
# Each test family adds itself to CHECK_STEPS beside its own target.
CHECK_STEPS := lint unit corpus milter e2e
check: deps-check
	$(MAKE) DEVELOPER=1 all $(UNIT_BIN) $(B)/tests/corpus_check
	$(MAKE) DEVELOPER=1 $(CHECK_STEPS)

unit: $(UNIT_BIN)
	@failed=""; for t in $(UNIT_BIN); do echo "== $$t"; \
	  $$t || failed="$$failed $${t##*/}"; done; \
	if [ -n "$$failed" ]; then echo "unit tests failed:$$failed"; exit 1; fi

corpus: $(B)/calnorm $(B)/tests/corpus_check
	tests/corpus/run.sh

$(B)/tests/corpus_check: tests/corpus/check.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBS)

lint:
	tests/lint.sh

milter: $(B)/calmilter $(B)/calnorm
	tests/milter/run.sh

# the man pages: mandoc's lint, every key, finding id and option named
# (tests/unit/test_man.c checks the key list against the table)
man: $(B)/calmilter $(B)/calnorm
	tests/man/check.sh
CHECK_STEPS += man
.PHONY: man

# calnorm's command line: --diff
calnorm-cli: $(B)/calnorm
	tests/calnorm/run.sh
CHECK_STEPS += calnorm-cli
.PHONY: calnorm-cli

# Sendmail for the e2e test, never installed: Debian's sendmail packages
# conflict with postfix, so their files are unpacked into build/ (fetched
# once, reused until make clean). apt-get download needs the package lists.
SM_TREE := $(B)/sendmail
SM_DEBS := sendmail-bin sendmail-cf
$(SM_TREE)/.unpacked:
	rm -rf $(SM_TREE) && mkdir -p $(SM_TREE)/debs
	cd $(SM_TREE)/debs && { apt-get -q -o APT::Sandbox::User=root \
	    download $(SM_DEBS) || { apt-get update -qq && apt-get -q \
	    -o APT::Sandbox::User=root download $(SM_DEBS); }; }
	for d in $(SM_TREE)/debs/*.deb; do dpkg-deb -x $$d $(SM_TREE)/root || exit 1; done
	touch $@
sendmail-tree: $(SM_TREE)/.unpacked

e2e: e2e-postfix e2e-sendmail
e2e-postfix: $(B)/calmilter $(B)/calnorm
	tests/e2e/postfix.sh
e2e-sendmail: $(B)/calmilter $(B)/calnorm $(SM_TREE)/.unpacked
	SENDMAIL_TREE=$(CURDIR)/$(SM_TREE) tests/e2e/sendmail.sh

# fault: calmilter killed, terminated, stalled, its worker crashed or hung,
# between two private Postfix instances (tests/fault/run.sh; under a minute)
CHECK_STEPS += fault
fault: $(B)/calmilter
	tests/fault/run.sh

# bench-pool: what the worker isolation costs per message (tests/bench/);
# make check runs it tiny, only to prove both paths give the same results
$(B)/tests/bench_pool: tests/bench/bench_pool.c $(B)/calmilter $(LIBMIME) \
    $(LIBCAL) $(LIBCONF)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -DSRCDIR='"$(CURDIR)"' \
	    -DBUILDDIR='"$(CURDIR)/$(B)"' -MMD -MP -o $@ $< \
	    $(LIBMIME) $(LIBCAL) $(LIBCONF) $(LIBS) -lcmocka
$(B)/tests/bench_core: tests/bench/bench_core.c $(LIBMIME) $(LIBCAL) \
    $(LIBCONF)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -DSRCDIR='"$(CURDIR)"' \
	    -DBUILDDIR='"$(CURDIR)/$(B)"' -MMD -MP -o $@ $< \
	    $(LIBMIME) $(LIBCAL) $(LIBCONF) $(LIBS) -lcmocka
# bench: issue 9's table (tests/bench/run.sh; several minutes, never fails
# on timing); make check runs each part tiny (bench-tiny)
bench: deps-check
	$(MAKE) all $(B)/tests/bench_core
	tests/bench/run.sh
CHECK_STEPS += bench-tiny
bench-tiny: $(B)/calmilter $(B)/tests/bench_core
	tests/bench/run.sh tiny
BENCH_POOL ?= 20 5
bench-pool: $(B)/tests/bench_pool
	$(B)/tests/bench_pool $(BENCH_POOL)
CHECK_STEPS += bench-pool-tiny
bench-pool-tiny: $(B)/tests/bench_pool
	$(B)/tests/bench_pool 2 1

# privileges: started as root, calmilter drops to UserID or refuses to run;
# SocketMode and UMask; the workers run as UserID too
CHECK_STEPS += privileges
privileges: $(B)/calmilter
	tests/milter/privileges.sh

# unit-security: the systemd unit verifies, and its exposure score
# (systemd-analyze security --offline=yes) stays under a fixed threshold
CHECK_STEPS += unit-security
unit-security: $(B)/calmilter
	tests/systemd/security.sh

# valgrind: the pipeline over the whole corpus, memcheck, one process
$(B)/tests/valgrind_batch: tests/valgrind/batch.c $(LIBMIME) $(LIBCAL)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
CHECK_STEPS += valgrind
valgrind: $(B)/tests/valgrind_batch
	tests/valgrind/run.sh

# ---- sanitizer builds ---------------------------------------------------------
# The same sources built in a directory of their own (build/ is untouched).
# asan: the unit tests under AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer; any report fails the test.
ASAN_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 \
	    UBSAN_OPTIONS=print_stacktrace=1
CHECK_STEPS += asan
asan:
	$(ASAN_ENV) $(MAKE) B=build-asan OPT='-O1 -g' SAN='$(ASAN_SAN)' unit

# ---- Debian package ----------------------------------------------------------
# make deb: build/calmilter_VERSION_ARCH.deb with debhelper (debian/), built
# in a copy of this tree under build/deb/ (dpkg-buildpackage writes its
# results next to the source directory, and cleans the tree it builds in).
# make check builds it with DEB_BUILD_OPTIONS=nocheck and runs lintian.
DEB_PKGS := $(BUILD_PKGS) build-essential debhelper dpkg-dev libcmocka-dev
DEB_DIR := $(B)/deb
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_CHANGES = $(DEB_DIR)/calmilter_$(VERSION)_$(DEB_ARCH).changes

deps-deb:
	$(call install_missing,$(DEB_PKGS))
deb: deps-deb
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); \
	[ "$$v" = "$(VERSION)" ] || { echo "debian/changelog is at $$v," \
	    "the Makefile at $(VERSION)" >&2; exit 1; }
	@for p in $(filter-out gcc make libc6-dev,$(BUILD_PKGS)); do \
	  grep -qE "(^|[ ,])$$p([ ,(]|$$)" debian/control || { echo \
	    "debian/control: Build-Depends lacks $$p (BUILD_PKGS)" >&2; exit 1; }; \
	done
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/calmilter-$(VERSION)
	tar --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . | \
	    tar -C $(DEB_DIR)/calmilter-$(VERSION) -xf -
	# the unit tests read ../shared/corpus beside the source tree
	[ ! -d ../shared ] || ln -s $(abspath ../shared) $(DEB_DIR)/shared
	cd $(DEB_DIR)/calmilter-$(VERSION) && dpkg-buildpackage -b -us -uc
	cp $(DEB_DIR)/calmilter_$(VERSION)_$(DEB_ARCH).deb $(B)/
deb-check:
	DEB_BUILD_OPTIONS=nocheck $(MAKE) deb
	lintian --fail-on error --display-level '>=warning' $(DEB_CHANGES)
CHECK_STEPS += deb-check
.PHONY: deb deps-deb deb-check

# load: thousands of messages over 32 SMTP sessions through a private
# Postfix and calmilter (tests/load/run.sh); make check runs a reduced size
LOAD_CHECK := LOAD_MESSAGES=1000 LOAD_WARMUP=250
CHECK_STEPS += load
load: $(B)/calmilter $(B)/calnorm
	$(LOAD_CHECK) tests/load/run.sh

# tsan: the daemon built with ThreadSanitizer (clang) in build-tsan/, many
# miltertest sessions at once (tests/tsan/run.sh). clang flags the fields
# libseccomp's SCMP_A0..5 macros leave to their default (gcc does not).
CHECK_STEPS += tsan
tsan: $(B)/calnorm
	$(MAKE) B=build-tsan CC=$(FUZZ_CC) SAN=-fsanitize=thread \
	    OPT='-O1 -g -Wno-missing-field-initializers' build-tsan/calmilter
	tests/tsan/run.sh

# ---- fuzzing ------------------------------------------------------------------
# tests/fuzz/fuzz_NAME.c: one target per entry point. With clang and
# libFuzzer (build-fuzz/, ASan+UBSan) they fuzz; with any compiler and
# tests/fuzz/standalone.c they replay files (build-asan/, gcc).
#   make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS='ical mime']
#   make fuzz-check    each target 30 s, every stored crash replayed (inputs
#                      cut at 16 KB, so that loading the seeds stays short)
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= ical vcal vcard lex mime
FUZZ_CC	 := clang-14
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined \
	    -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_MAIN ?= $(B)/tests/fuzz/standalone.o	# or -fsanitize=fuzzer
FUZZ_ENV := $(ASAN_ENV) \
	    ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

$(B)/fuzz/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/fuzz_cal.o \
    $(filter %.o,$(FUZZ_MAIN)) $(LIBMIME) $(LIBCAL)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ \
	    $(filter-out %.o,$(FUZZ_MAIN)) $(LIBS)

fuzz-bin: $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
fuzz-build:
	$(MAKE) B=build-fuzz CC=$(FUZZ_CC) OPT='-O1 -g' SAN='$(FUZZ_SAN)' \
	    FUZZ_MAIN=-fsanitize=fuzzer fuzz-bin
fuzz: fuzz-build
	$(FUZZ_ENV) tests/fuzz/run.sh fuzz build-fuzz $(FUZZ_SECONDS) \
	    $(FUZZ_TARGETS)
fuzz-replay:
	$(MAKE) B=build-asan OPT='-O1 -g' SAN='$(ASAN_SAN)' fuzz-bin
	$(FUZZ_ENV) tests/fuzz/run.sh replay build-asan $(FUZZ_TARGETS)
CHECK_STEPS += fuzz-check
fuzz-check: fuzz-build fuzz-replay
	$(FUZZ_ENV) tests/fuzz/run.sh replay build-fuzz $(FUZZ_TARGETS)
	$(FUZZ_ENV) FUZZ_MAX_LEN=16384 tests/fuzz/run.sh fuzz build-fuzz 30 \
	    $(FUZZ_TARGETS)

# ---- install --------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/calmilter $(DESTDIR)$(UNITDIR)
	install -m 755 $(B)/calmilter $(DESTDIR)$(SBINDIR)/calmilter
	install -m 755 $(B)/calnorm $(DESTDIR)$(BINDIR)/calnorm
	[ -e $(DESTDIR)$(SYSCONFDIR)/calmilter/calmilter.conf ] || \
	    install -m 644 conf/calmilter.conf $(DESTDIR)$(SYSCONFDIR)/calmilter/calmilter.conf
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    systemd/calmilter.service.in > $(DESTDIR)$(UNITDIR)/calmilter.service
	chmod 644 $(DESTDIR)$(UNITDIR)/calmilter.service
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 644 milter/calnorm.1 $(DESTDIR)$(MANDIR)/man1/calnorm.1
	install -m 644 conf/calmilter.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/calmilter.conf.5
	install -m 644 milter/calmilter.8 $(DESTDIR)$(MANDIR)/man8/calmilter.8

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/calmilter $(DESTDIR)$(BINDIR)/calnorm \
	    $(DESTDIR)$(UNITDIR)/calmilter.service \
	    $(DESTDIR)$(MANDIR)/man1/calnorm.1 \
	    $(DESTDIR)$(MANDIR)/man5/calmilter.conf.5 \
	    $(DESTDIR)$(MANDIR)/man8/calmilter.8

clean:
	rm -rf $(B) build-asan build-fuzz build-tsan

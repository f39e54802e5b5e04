# tcum - a command-line tensor calculator.  POSIX make is enough.
.POSIX:
.SUFFIXES:
.SUFFIXES: .c .o

PREFIX    = /usr/local
MANPREFIX = $(PREFIX)/share/man
DESTDIR   =

CC       = cc
CXX      = c++
CFLAGS   = -std=c11 -O2 -g -ffp-contract=off
CXXFLAGS = -std=c++17 -O2 -g -ffp-contract=off
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wwrite-strings -Wcast-qual -Wundef -Werror
CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -Ilib
CJSON_CFLAGS = `pkg-config --cflags libcjson 2>/dev/null || echo -I/usr/include/cjson`
CJSON_LIBS   = `pkg-config --libs libcjson 2>/dev/null || echo -lcjson`
CSV_LIBS     = -lcsv
# Compressed input (lib/source.c) and .npz (lib/read_npz.c): zlib, libbz2,
# liblzma, libzstd (Debian: zlib1g-dev libbz2-dev liblzma-dev libzstd-dev).
# Linked statically, as libstdc++ is: four more shared libraries to load
# would add about 0.2 ms to every start (1.06 ms -> 1.29 ms of CPU for a
# one-line CSV).  COMPRESS_LIBS="-lz -lbz2 -llzma -lzstd" links them shared.
ZLIB_LIBS    = -lz
BZIP2_LIBS   = -lbz2
LZMA_LIBS    = -llzma
ZSTD_LIBS    = -lzstd
COMPRESS_LIBS = -Wl,-Bstatic $(ZLIB_LIBS) $(BZIP2_LIBS) $(LZMA_LIBS) $(ZSTD_LIBS) -Wl,-Bdynamic
# Dragonbox (libdragonbox-dev) is header-only and versioned in its path;
# without it charconv.cc falls back to to_chars for the same digits.
DRAGONBOX_CFLAGS = `ls -d /usr/include/dragonbox-* 2>/dev/null | sed 's/^/-I/'`
LDLIBS   = $(CJSON_LIBS) $(CSV_LIBS) $(COMPRESS_LIBS) -Wl,-Bstatic -lstdc++ -Wl,-Bdynamic -lm -pthread

LIB_SRC = lib/alloc.c lib/buf.c lib/err.c lib/csv_tok.c lib/json_rows.c lib/table.c lib/stream.c lib/tensor.c lib/dtype.c lib/scan.c lib/reduce.c lib/sleef.c lib/diff.c \
          lib/grad.c lib/nanreduce.c lib/ops.c lib/op_run.c lib/value.c lib/read.c lib/read_csv.c lib/read_json.c \
          lib/read_npy.c lib/read_torch.c lib/print_torch.c lib/numfmt.c lib/write.c lib/write_table.c lib/compare.c \
          lib/source.c lib/read_npz.c
CLI_SRC = cli/main.c cli/help.c
HDR     = lib/tcum.h lib/tc_private.h cli/help.h lib/sleef_rempitab.h

LIB_OBJ = $(LIB_SRC:.c=.o) lib/charconv.o

all: tcum

# Library objects are position-independent: the same ones make libtcum.a
# (linked into tcum) and libtcum.so.
.c.o:
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) $(CFLAGS) -fPIC $(WARN) -c -o $@ $<

$(LIB_OBJ): $(HDR)

# The one C++ file: libstdc++'s <charconv> (fast_float) and Dragonbox behind a C interface.
lib/charconv.o: lib/charconv.cc $(HDR)
	$(CXX) $(CPPFLAGS) $(DRAGONBOX_CFLAGS) $(CXXFLAGS) -fPIC -Wall -Wextra -Werror -c -o $@ lib/charconv.cc

# The library alone, for C programs: cc prog.c $(pkg-config --cflags --libs tcum)
# after make install (or link libtcum.a with $(LDLIBS)).  VERSION is tcum.h's
# TC_VERSION; the shared library's soname carries its major number.
VERSION = 0.2.0
SOMAJOR = 0
libtcum.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

libtcum.so.$(VERSION): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libtcum.so.$(SOMAJOR) -o $@ $(LIB_OBJ) $(LDFLAGS) \
	  $(CJSON_LIBS) $(CSV_LIBS) $(ZLIB_LIBS) $(BZIP2_LIBS) $(LZMA_LIBS) $(ZSTD_LIBS) -lstdc++ -lm

tcum.pc: lib/tcum.pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' lib/tcum.pc.in > $@

tcum: $(CLI_SRC) $(HDR) libtcum.a
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) $(CFLAGS) $(WARN) -o $@ $(CLI_SRC) libtcum.a $(LDFLAGS) $(LDLIBS)

# lib/example.c: the library's example program, run by make check.
lib/example: lib/example.c lib/tcum.h libtcum.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ lib/example.c libtcum.a $(LDFLAGS) $(LDLIBS)

# Same sources under AddressSanitizer + UBSan; the whole suite runs against it.
lib/charconv-asan.o: lib/charconv.cc $(HDR)
	$(CXX) $(CPPFLAGS) $(DRAGONBOX_CFLAGS) -std=c++17 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -Wall -Wextra -Werror -c -o $@ lib/charconv.cc

tcum-asan: $(LIB_SRC) $(CLI_SRC) $(HDR) lib/charconv-asan.o
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) -std=c11 -O1 -g -ffp-contract=off -fno-omit-frame-pointer \
	  -fsanitize=address,undefined -fno-sanitize-recover=all $(WARN) \
	  -o $@ $(LIB_SRC) $(CLI_SRC) lib/charconv-asan.o $(LDFLAGS) $(LDLIBS)

# The golden suite with one thread and with 4 threads cutting 97-byte
# blocks: the same bytes either way (make check runs the default, the cores).
check-threads: tcum
	TCUM_THREADS=1 sh testdata/run-tests.sh ./tcum
	TCUM_THREADS=4 TCUM_TEST_BLOCK=97 sh testdata/run-tests.sh ./tcum

# The threads under ThreadSanitizer: the stream suites with 4 threads and
# blocks of 97 bytes (many blocks in flight even for small inputs).
lib/charconv-tsan.o: lib/charconv.cc $(HDR)
	$(CXX) $(CPPFLAGS) $(DRAGONBOX_CFLAGS) -std=c++17 -O1 -g -fsanitize=thread -Wall -Wextra -Werror \
	  -c -o $@ lib/charconv.cc

tcum-tsan: $(LIB_SRC) $(CLI_SRC) $(HDR) lib/charconv-tsan.o
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) -std=c11 -O1 -g -ffp-contract=off -fsanitize=thread $(WARN) \
	  -o $@ $(LIB_SRC) $(CLI_SRC) lib/charconv-tsan.o $(LDFLAGS) $(LDLIBS)

testdata/api_test-tsan: testdata/api_test.c $(LIB_SRC) $(HDR) lib/charconv-tsan.o
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) -std=c11 -O1 -g -ffp-contract=off -fsanitize=thread $(WARN) \
	  -o $@ testdata/api_test.c $(LIB_SRC) lib/charconv-tsan.o $(LDFLAGS) $(LDLIBS)

TSAN_TESTS = testdata/stream.test testdata/table.test testdata/jsontab.test testdata/files.test
tsan: tcum-tsan testdata/api_test-tsan
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 ./testdata/api_test-tsan
	TCUM_THREADS=4 TCUM_TEST_BLOCK=97 TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
	  sh testdata/run-tests.sh ./tcum-tsan $(TSAN_TESTS)

# The library with its fault simulator (alloc.c): TCUM_FAULTSIM=N fails the
# N-th allocation and every later one; under ASan, so a leak on the way out
# is caught too.  make faultsim runs golden cases that way for every N up
# to their number of allocations (CI: TCUM_THREADS=1, so that every run is
# deterministic, and FAULTSIM_ARGS="--sample 100", about 1.5 min on 2 cores).
tcum-faultsim: $(LIB_SRC) $(CLI_SRC) $(HDR) lib/charconv-asan.o
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) -DTC_FAULTSIM -std=c11 -O1 -g -ffp-contract=off \
	  -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all $(WARN) \
	  -o $@ $(LIB_SRC) $(CLI_SRC) lib/charconv-asan.o $(LDFLAGS) $(LDLIBS)

FAULTSIM_ARGS =
faultsim: tcum-faultsim
	python3 testdata/faultsim.py --tcum ./tcum-faultsim $(FAULTSIM_ARGS)

# Streamed CSV fed in every chunk size gives the same bytes (libcsv's test_csv.c idea).
testdata/stream_chunks: testdata/stream_chunks.c lib/tcum.h libtcum.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ testdata/stream_chunks.c libtcum.a $(LDFLAGS) $(LDLIBS)

# The op table's answers (tc_op_result ...) against tc_op_run, every op x dtype x version.
testdata/optable_test: testdata/optable_test.c lib/tcum.h libtcum.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ testdata/optable_test.c libtcum.a $(LDFLAGS) $(LDLIBS)

# A JSON array read by threads in small parts is the one-thread tensor (or error).
testdata/json_parts: testdata/json_parts.c lib/tcum.h libtcum.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ testdata/json_parts.c libtcum.a $(LDFLAGS) $(LDLIBS)

# The public API as an embedding program uses it: NULL err, host cJSON hooks, two threads.
testdata/api_test: testdata/api_test.c lib/tcum.h libtcum.a
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) $(CFLAGS) $(WARN) -o $@ testdata/api_test.c libtcum.a $(LDFLAGS) $(LDLIBS)

check: tcum lib/example testdata/stream_chunks testdata/optable_test testdata/json_parts testdata/api_test
	./testdata/api_test
	./testdata/stream_chunks
	./testdata/optable_test
	./testdata/json_parts
	sh testdata/run-tests.sh ./tcum
	sh testdata/stream-memcheck.sh ./tcum
	sh testdata/gz-memcheck.sh ./tcum

asan: tcum-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh testdata/run-tests.sh ./tcum-asan

# Every golden case under valgrind memcheck.  The cases run as forks of one
# valgrind process (testdata/forkrun: tcum's main with a small server around
# it), so valgrind starts once, not 3000 times; tcum's code is built with
# the same flags as ./tcum.  VALGRIND_TESTS="testdata/badinput.test ..."
# restricts it to some files.
VALGRIND_TESTS =
# The PyTorch versions whose runs valgrind checks (empty: both).  CI checks
# 2.6's (the default mode) to stay in its time budget; make asan runs both.
VALGRIND_VERSIONS =
testdata/forkrun-main.o: cli/main.c $(HDR)
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) $(CFLAGS) $(WARN) -Wno-missing-prototypes -Dmain=tcum_main -c -o $@ cli/main.c

testdata/forkrun: testdata/forkrun.c testdata/forkrun-main.o cli/help.c $(HDR) libtcum.a
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) $(CFLAGS) $(WARN) -o $@ testdata/forkrun.c testdata/forkrun-main.o \
	  cli/help.c libtcum.a $(LDFLAGS) $(LDLIBS)

VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
           --suppressions=testdata/valgrind.supp
valgrind: testdata/forkrun lib/example testdata/stream_chunks
	$(VALGRIND) ./testdata/stream_chunks
	$(VALGRIND) ./lib/example >/dev/null
	TCUM_TEST_VERSIONS="$(VALGRIND_VERSIONS)" sh testdata/valgrind.sh $(VALGRIND_TESTS)

deps:
	sh .ci/deps.sh

# Differential fuzzing against PyTorch: make fuzz-torch N=2000 TORCH=2.6|1.13
# (1.13: Debian 12's python3-torch; 2.6: the Debian 13 chroot, TCUM_CHROOT,
# default /work/chroot/trixie).
N = 1000
TORCH = 2.6
fuzz-torch: tcum
	/usr/bin/python3 testdata/fuzz_torch.py --n $(N) --tcum ./tcum --torch-version $(TORCH)

# The CSV files Debian's packages ship (scikit-learn, statsmodels,
# matplotlib) through tcum and through pandas + PyTorch (table_model.py):
# a new user's first tries.  Needs those packages; not part of check.
realdata: tcum
	/usr/bin/python3 testdata/realdata.py --tcum ./tcum --torch-version 1.13

# Mutated and malformed files through the real binary under ASan+UBSan:
# exit 0 or 2, one-line messages, no hang, no partial -o file.
# make hostile N=2000 SEED=1
SEED = 1
hostile: tcum-asan
	python3 testdata/hostile.py --tcum ./tcum-asan --n $(N) --seed $(SEED)

# libFuzzer targets for every reader, the whole path and the CSV stream:
# make fuzz FUZZ_SECONDS=60 FUZZ_JOBS=2 (targets run FUZZ_JOBS at a time)
FUZZ_SECONDS = 60
FUZZ_JOBS = 1
fuzz:
	FUZZ_JOBS=$(FUZZ_JOBS) sh fuzz/run-fuzz.sh $(FUZZ_SECONDS)

print-lib-src:
	@echo $(LIB_SRC)

# lint also refuses a call loop among lib/'s files (testdata/callgraph.py, on the objects).
lint: $(LIB_OBJ)
	/usr/bin/python3 testdata/callgraph.py $(LIB_OBJ)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
	  --suppress=missingIncludeSystem --inline-suppr -Ilib lib cli testdata/forkrun.c
	clang-tidy --quiet $(LIB_SRC) $(CLI_SRC) testdata/forkrun.c -- $(CPPFLAGS) $(CJSON_CFLAGS) -std=c11

bench: tcum
	sh bench/run.sh

# Number text against glibc: 10M parses, 10M shortest float64, all 2^32
# float32 patterns (minutes; not part of check).
numcheck: bench/numcheck.c $(LIB_SRC) $(HDR) lib/charconv.o
	$(CC) $(CPPFLAGS) $(CJSON_CFLAGS) $(CFLAGS) $(WARN) -pthread -o bench/numcheck \
	  bench/numcheck.c $(LIB_SRC) lib/charconv.o $(LDFLAGS) $(LDLIBS)
	./bench/numcheck all

install: tcum libtcum.a libtcum.so.$(VERSION) tcum.pc
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	cp -f tcum $(DESTDIR)$(PREFIX)/bin/tcum
	chmod 755 $(DESTDIR)$(PREFIX)/bin/tcum
	cp -f man/tcum.1 $(DESTDIR)$(MANPREFIX)/man1/tcum.1
	chmod 644 $(DESTDIR)$(MANPREFIX)/man1/tcum.1
	cp -f completion/tcum.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/tcum
	chmod 644 $(DESTDIR)$(PREFIX)/share/bash-completion/completions/tcum
	cp -f completion/_tcum $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_tcum
	chmod 644 $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_tcum
	cp -f libtcum.a $(DESTDIR)$(PREFIX)/lib/libtcum.a
	cp -f libtcum.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libtcum.so.$(VERSION)
	ln -sf libtcum.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libtcum.so.$(SOMAJOR)
	ln -sf libtcum.so.$(SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libtcum.so
	cp -f tcum.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/tcum.pc
	cp -f lib/tcum.h $(DESTDIR)$(PREFIX)/include/tcum.h
	chmod 644 $(DESTDIR)$(PREFIX)/lib/libtcum.a $(DESTDIR)$(PREFIX)/include/tcum.h \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/tcum.pc
	chmod 755 $(DESTDIR)$(PREFIX)/lib/libtcum.so.$(VERSION)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libtcum.a $(DESTDIR)$(PREFIX)/include/tcum.h \
	  $(DESTDIR)$(PREFIX)/lib/libtcum.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libtcum.so.$(SOMAJOR) \
	  $(DESTDIR)$(PREFIX)/lib/libtcum.so $(DESTDIR)$(PREFIX)/lib/pkgconfig/tcum.pc
	rm -f $(DESTDIR)$(PREFIX)/bin/tcum $(DESTDIR)$(MANPREFIX)/man1/tcum.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/tcum \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_tcum

# Embedding is one line: install into a scratch tree, then build and run
# lib/example.c against it with pkg-config alone (shared, then static).
install-check: all
	rm -rf install-check.tmp
	$(MAKE) install DESTDIR=$$(pwd)/install-check.tmp PREFIX=/usr/local
	PKG_CONFIG_PATH=$$(pwd)/install-check.tmp/usr/local/lib/pkgconfig; export PKG_CONFIG_PATH; \
	  $(CC) $(WARN) -o lib/example-installed lib/example.c \
	    $$(pkg-config --define-prefix --cflags --libs tcum) && \
	  LD_LIBRARY_PATH=$$(pwd)/install-check.tmp/usr/local/lib ./lib/example-installed && \
	  $(CC) $(WARN) -o lib/example-installed lib/example.c \
	    $$(pkg-config --define-prefix --static --cflags tcum) \
	    $$(pkg-config --define-prefix --variable=libdir tcum)/libtcum.a \
	    $$(pkg-config --define-prefix --static --libs-only-other --libs-only-l tcum | sed 's/-ltcum//') && \
	  ./lib/example-installed
	rm -rf install-check.tmp lib/example-installed

# The man page must stay lint-clean (mandoc's warnings and errors).
lint-man:
	mandoc -Tlint -Wwarning man/tcum.1

clean:
	rm -f tcum tcum-asan tcum-faultsim tcum-tsan bench/numcheck lib/*.o lib/example libtcum.a libtcum.so.* tcum.pc \
	  lib/example-installed testdata/stream_chunks testdata/optable_test testdata/json_parts \
	  testdata/api_test testdata/api_test-tsan \
	  testdata/forkrun testdata/*.o

.PHONY: all check asan valgrind deps clean fuzz fuzz-torch realdata hostile lint bench numcheck print-lib-src install-check faultsim tsan check-threads \
        install uninstall lint-man

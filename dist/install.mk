# make install — chanlings, its workbook data, libgoc and the man pages.
#
#   make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]
#
#   $(PREFIX)/bin/chanlings             the runner
#   $(PREFIX)/share/chanlings/          a complete workbook: lessons, exercises
#                                       (as shipped), solutions, graders, the
#                                       public headers and every libgoc flavour
#                                       the runner links; a learner copies it
#                                       (`cp -R .../share/chanlings ~/chanlings`)
#   $(PREFIX)/lib/libgoc.a              libgoc (the plain build) ...
#   $(PREFIX)/include/goc.h, goc/*.h    ... and its headers
#   $(PREFIX)/lib/pkgconfig/libgoc.pc   for `pkg-config --cflags --libs libgoc`
#   $(PREFIX)/share/man/man1/chanlings.1, man3/libgoc.3
#
# DESTDIR stages the whole tree elsewhere (packaging, the test); the paths
# written into the files are still $(PREFIX)'s.

PREFIX ?= /usr/local
DATADIR ?= $(PREFIX)/share/chanlings
MANDIR ?= $(PREFIX)/share/man
INSTALL ?= install
# One version for the program, the library and the .pc: the runner's.
CL_VERSION_STR := $(shell sed -n 's/^\#define CL_VERSION "\(.*\)"/\1/p' runner/src/main.c)

.PHONY: install uninstall test-install
install: $(CHANLINGS) lib
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/goc $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	$(INSTALL) -m 755 $(CHANLINGS) $(DESTDIR)$(PREFIX)/bin/chanlings
	$(INSTALL) -m 644 $(LIBGOC) $(DESTDIR)$(PREFIX)/lib/libgoc.a
	$(INSTALL) -m 644 lib/include/goc.h $(DESTDIR)$(PREFIX)/include/goc.h
	$(INSTALL) -m 644 lib/include/goc/*.h $(DESTDIR)$(PREFIX)/include/goc/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(CL_VERSION_STR)|' dist/libgoc.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/libgoc.pc
	$(INSTALL) -m 644 docs/man/chanlings.1 $(DESTDIR)$(MANDIR)/man1/chanlings.1
	$(INSTALL) -m 644 docs/man/libgoc.3 $(DESTDIR)$(MANDIR)/man3/libgoc.3
	@# The workbook, the same set the runner's own tests grade in (exercises as
	@# shipped, never a learner's edits to this checkout).
	rm -rf $(DESTDIR)$(DATADIR) && $(INSTALL) -d $(DESTDIR)$(DATADIR)
	. runner/tests/shipped.sh && scratch_workbook "$(CURDIR)" "$(DESTDIR)$(DATADIR)"
	rm -rf $(DESTDIR)$(DATADIR)/graders/tests $(DESTDIR)$(DATADIR)/graders/graders.mk
	@echo "installed chanlings $(CL_VERSION_STR) under $(DESTDIR)$(PREFIX); a learner starts with:"
	@echo "  cp -R $(DATADIR) ~/chanlings && cd ~/chanlings && chanlings"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/chanlings $(DESTDIR)$(PREFIX)/lib/libgoc.a \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/libgoc.pc $(DESTDIR)$(PREFIX)/include/goc.h \
		$(DESTDIR)$(MANDIR)/man1/chanlings.1 $(DESTDIR)$(MANDIR)/man3/libgoc.3
	rm -rf $(DESTDIR)$(PREFIX)/include/goc $(DESTDIR)$(DATADIR)

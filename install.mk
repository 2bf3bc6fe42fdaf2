# make install / uninstall, included by the Makefile. The directories
# follow the GNU conventions; each can be set on the command line
# (make install PREFIX=/usr mandir=/usr/share/man DESTDIR=/tmp/root).

bindir         ?= $(PREFIX)/bin
datadir        ?= $(PREFIX)/share
mandir         ?= $(datadir)/man
docdir         ?= $(datadir)/doc/thpscope
pkgdatadir     ?= $(datadir)/thpscope
bashcompdir    ?= $(datadir)/bash-completion/completions
systemdunitdir ?= $(PREFIX)/lib/systemd/system

INSTALL   ?= install
DOCS      := README.md $(wildcard docs/*.md)
RULES     := $(wildcard contrib/prometheus/*.yml)

# Every file install writes; uninstall removes these and nothing else.
INSTALLED := $(bindir)/thpscope $(bindir)/thpload \
	$(foreach p,$(MAN_PAGES),$(mandir)/man$(subst .,,$(suffix $(p)))/$(notdir $(p))) \
	$(bashcompdir)/thpscope $(bashcompdir)/thpload \
	$(addprefix $(docdir)/,$(notdir $(DOCS))) $(docdir)/contrib/README.md \
	$(addprefix $(pkgdatadir)/prometheus/,$(notdir $(RULES))) \
	$(systemdunitdir)/thpscope.service
# The directories that are thpscope's alone, deepest first.
OWN_DIRS  := $(docdir)/contrib $(docdir) $(pkgdatadir)/prometheus $(pkgdatadir)

install: all
	$(INSTALL) -d $(addprefix $(DESTDIR),$(bindir) $(mandir)/man1 $(mandir)/man4 \
		$(bashcompdir) $(docdir)/contrib $(pkgdatadir)/prometheus $(systemdunitdir))
	$(INSTALL) -m 0755 $(BUILD)/thpscope $(BUILD)/thpload $(DESTDIR)$(bindir)/
	$(INSTALL) -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(mandir)/man1/
	$(INSTALL) -m 0644 $(filter %.4,$(MAN_PAGES)) $(DESTDIR)$(mandir)/man4/
	$(INSTALL) -m 0644 completion/thpscope.bash $(DESTDIR)$(bashcompdir)/thpscope
	ln -sf thpscope $(DESTDIR)$(bashcompdir)/thpload
	$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(docdir)/
	$(INSTALL) -m 0644 contrib/README.md $(DESTDIR)$(docdir)/contrib/
	$(INSTALL) -m 0644 $(RULES) $(DESTDIR)$(pkgdatadir)/prometheus/
	# The unit runs thpscope from where it is installed.
	sed 's|^ExecStart=/usr/bin/thpscope |ExecStart=$(bindir)/thpscope |' \
		contrib/systemd/thpscope.service >$(DESTDIR)$(systemdunitdir)/thpscope.service
	chmod 0644 $(DESTDIR)$(systemdunitdir)/thpscope.service

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	for d in $(addprefix $(DESTDIR),$(OWN_DIRS)); do \
		[ ! -d "$$d" ] || rmdir --ignore-fail-on-non-empty "$$d"; done

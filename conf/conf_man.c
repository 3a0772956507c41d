/*
 * conf_man.c - the key list of calmilter.conf(5), from the key table
 *
 * `make conf-example` puts this output into conf/calmilter.conf.5 between
 * the lines CONF_MAN_BEGIN and CONF_MAN_END (conf/gen/man.c), so the page
 * lists exactly the keys the parser accepts, each with its default; a unit
 * test checks that the committed page holds exactly this output.
 *
 * mdoc wants one sentence per line and no text line that starts with a
 * dot or a quote; the help texts of the table are plain words, so those
 * and a backslash are all that need an escape.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

#define CONF_MAN_WIDTH 78 /* break text lines before this column */

/* conf_man_arg - the placeholder after a key's name */
static const char *
conf_man_arg(enum conf_type t)
{
	switch (t) {
	case CONF_T_SIZE:
		return "size";
	case CONF_T_UINT:
		return "number";
	case CONF_T_FACILITY:
		return "facility";
	case CONF_T_LOGLEVEL:
		return "level";
	case CONF_T_ENUM:
		return "word";
	case CONF_T_STRING:
	default:
		return "string";
	}
}

/* conf_man_word - one word of text, escaped for roff; returns its length */
static size_t
conf_man_word(FILE *out, const char *w, size_t n)
{
	size_t i;

	if (w[0] == '.' || w[0] == '\'')
		fputs("\\&", out);
	for (i = 0; i < n; i++) {
		if (w[i] == '\\')
			fputs("\\e", out);
		else
			putc(w[i], out);
	}
	return n;
}

/*
 * conf_man_text - text as mdoc lines: a new line after each sentence and
 * before CONF_MAN_WIDTH, a full stop at the end. The help texts start with
 * a small letter, as in the example file: a key's value often comes first.
 */
static void
conf_man_text(FILE *out, const char *text)
{
	const char *p = text + strspn(text, " ");
	size_t col = 0, n;
	int ended = 0;

	while (*p != '\0') {
		n = strcspn(p, " ");
		if (col > 0 && col + 1 + n > CONF_MAN_WIDTH) {
			putc('\n', out);
			col = 0;
		} else if (col > 0) {
			putc(' ', out);
			col++;
		}
		col += conf_man_word(out, p, n);
		ended = p[n - 1] == '.';
		p += n + strspn(p + n, " ");
		if (ended && *p != '\0') {
			putc('\n', out);
			col = 0;
		}
	}
	fputs(ended ? "\n" : ".\n", out);
}

/* conf_key_man - one key's item */
static void
conf_key_man(const struct conf_key *k, FILE *out)
{
	char bounds[CONF_BOUNDS_MAX];

	fprintf(out, ".It Ic %s Ar %s\n", k->name, conf_man_arg(k->type));
	conf_man_text(out, k->help);
	conf_key_bounds(k, bounds, sizeof(bounds));
	if (bounds[0] != '\0')
		conf_man_text(out, bounds);
	if (k->def[0] == '\0' || strchr(k->def, ' ') != NULL)
		fprintf(out, "Default:\n.Ql \"%s\" .\n", k->def);
	else
		fprintf(out, "Default:\n.Ql %s .\n", k->def);
}

/* conf_print_man_keys - the key list; see conf.h */
void
conf_print_man_keys(FILE *out)
{
	size_t i;

	fputs(".Bl -tag -width Ds\n", out);
	for (i = 0; i < conf_nkeys; i++)
		conf_key_man(&conf_keys[i], out);
	fputs(".El\n", out);
}

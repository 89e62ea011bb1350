/* tmpl.h - a C interface to ctemplate (the C++ template library).
 *
 * Templates are loaded once, by name, into ctemplate's default cache; a
 * writer builds a dictionary (values and repeated sections) and expands a
 * template into a strbuf. HTML templates start with
 * {{%AUTOESCAPE context="HTML"}} so every value is escaped for where it
 * lands; {{X:none}} passes trusted HTML (cmark output, the project's own
 * SVG). Markdown templates escape values with the "x-md" modifier
 * ({{X:x-md}}, see fmt_md_escape). */
#ifndef MEMREPORT_TMPL_H
#define MEMREPORT_TMPL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "util.h"

typedef struct tmpl_dict tmpl_dict;

/* Loads the file at path under the template name `name` (replacing an
 * earlier one). Returns 0, or -1 with *err set to a malloc'd message
 * that names the file (ctemplate prints its own details to stderr). */
int tmpl_load_file(const char *name, const char *path, char **err);
/* The same from memory (tests). */
int tmpl_load_string(const char *name, const char *text, size_t len, char **err);

/* A new top-level dictionary; free it with tmpl_dict_free. */
tmpl_dict *tmpl_dict_new(void);
void tmpl_dict_free(tmpl_dict *d);
/* Sets a value (copied). A NULL value sets "". */
void tmpl_set(tmpl_dict *d, const char *key, const char *value);
void tmpl_setf(tmpl_dict *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds one repetition of a section and returns its dictionary, owned by d
 * (never freed by the caller). Values not found in it are looked up in d. */
tmpl_dict *tmpl_add_section(tmpl_dict *d, const char *section);
/* Shows a section once, with no values of its own. */
void tmpl_show_section(tmpl_dict *d, const char *section);

/* Expands the template `name` with d, appending to out. Returns 0, or -1
 * when the template is unknown or fails to expand. */
int tmpl_expand(const char *name, const tmpl_dict *d, strbuf *out);

#ifdef __cplusplus
}
#endif

#endif

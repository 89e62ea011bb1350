// tmpl_bridge.cc - the only C++ in memreport: tmpl.h on top of ctemplate.
//
// ctemplate dictionaries are C++ objects; the C side sees them as the
// opaque tmpl_dict. Section dictionaries belong to their parent, so only
// top-level ones are deleted. The "x-md" modifier is registered once, the
// first time a template is loaded, and calls the C escaper in fmt.c so
// Markdown escaping has a single definition.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>
#include <ctemplate/template_dictionary.h>
#include <ctemplate/template_emitter.h>
#include <ctemplate/template_modifiers.h>

extern "C" {
#include "fmt.h"
#include "util.h"
}
#include "tmpl.h"

namespace {

// ctemplate allocates with new: a failure there takes the same exit as
// xmalloc's (message, temporaries removed, exit 3), not std::terminate.
[[noreturn]] void new_failed()
{
    util_out_of_memory(0);
}
struct new_handler_installer {
    new_handler_installer() { std::set_new_handler(new_failed); }
} install_new_handler;


class MarkdownEscape : public ctemplate::TemplateModifier {
  public:
    void Modify(const char *in, size_t inlen, const ctemplate::PerExpandData *,
                ctemplate::ExpandEmitter *out, const std::string &) const override
    {
        strbuf b;
        buf_init(&b);
        fmt_md_escape(&b, in, inlen);
        out->Emit(b.data, b.len);
        buf_free(&b);
    }
};

const MarkdownEscape md_escape;

void register_modifiers()
{
    static bool done = false;
    if (done)
        return;
    done = true;
    ctemplate::AddModifier("x-md", &md_escape);
}

ctemplate::TemplateDictionary *cxx(tmpl_dict *d)
{
    return reinterpret_cast<ctemplate::TemplateDictionary *>(d);
}

tmpl_dict *cdict(ctemplate::TemplateDictionary *d)
{
    return reinterpret_cast<tmpl_dict *>(d);
}

} // namespace

extern "C" int tmpl_load_string(const char *name, const char *text, size_t len, char **err)
{
    register_modifiers();
    ctemplate::TemplateCache *cache = ctemplate::mutable_default_template_cache();
    cache->Delete(name);
    // The strip mode is decided per template: Markdown is whitespace-
    // sensitive, so nothing is stripped; expansion later uses the same mode.
    if (!cache->StringToTemplateCache(name, std::string(text, len), ctemplate::DO_NOT_STRIP)) {
        *err = xasprintf("%s: template does not compile (ctemplate's message above)", name);
        return -1;
    }
    // StringToTemplateCache only checks some errors; expanding with an empty
    // dictionary parses the whole template now, not during a build.
    ctemplate::TemplateDictionary probe("probe");
    std::string sink;
    if (!cache->ExpandWithData(name, ctemplate::DO_NOT_STRIP, &probe, nullptr, &sink)) {
        cache->Delete(name);
        *err = xasprintf("%s: template does not compile (ctemplate's message above)", name);
        return -1;
    }
    return 0;
}

extern "C" int tmpl_load_file(const char *name, const char *path, char **err)
{
    size_t len = 0;
    char *text = file_read_all(path, &len);
    if (!text) {
        *err = xasprintf("%s: cannot read template", path);
        return -1;
    }
    int rc = tmpl_load_string(name, text, len, err);
    free(text);
    if (rc != 0) {
        free(*err);
        *err = xasprintf("%s: template does not compile (ctemplate's message above)", path);
    }
    return rc;
}

extern "C" tmpl_dict *tmpl_dict_new(void)
{
    return cdict(new ctemplate::TemplateDictionary("root"));
}

extern "C" void tmpl_dict_free(tmpl_dict *d)
{
    delete cxx(d);
}

extern "C" void tmpl_set(tmpl_dict *d, const char *key, const char *value)
{
    cxx(d)->SetValue(key, value ? value : "");
}

extern "C" void tmpl_setf(tmpl_dict *d, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    cxx(d)->SetValue(key, s);
    free(s);
}

extern "C" tmpl_dict *tmpl_add_section(tmpl_dict *d, const char *section)
{
    return cdict(cxx(d)->AddSectionDictionary(section));
}

extern "C" void tmpl_show_section(tmpl_dict *d, const char *section)
{
    cxx(d)->ShowSection(section);
}

extern "C" int tmpl_expand(const char *name, const tmpl_dict *d, strbuf *out)
{
    std::string s;
    const ctemplate::TemplateDictionary *td =
        reinterpret_cast<const ctemplate::TemplateDictionary *>(d);
    if (!ctemplate::mutable_default_template_cache()->ExpandWithData(
            name, ctemplate::DO_NOT_STRIP, td, nullptr, &s))
        return -1;
    buf_putn(out, s.data(), s.size());
    return 0;
}

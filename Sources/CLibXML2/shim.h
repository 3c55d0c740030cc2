// Debian's libxml2 is built with ICU, whose headers clash with Foundation's own ICU.
// Include the version header first, switch the ICU part off, then the parser headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

// xmlFree is a global function pointer, which Swift 6 sees as shared mutable state.
static inline void cocc_xml_free(void *p) { xmlFree(p); }

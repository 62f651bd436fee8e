// MaskSqlLiterals: the report's second line of redaction. Examples are redacted by the analyzer
// as configured; when the report is asked to redact (the default), it masks what could still
// carry data: quoted strings ('...', E'...', $tag$...$tag$) become '?', numeric literals become
// ?. Identifiers (also "quoted" ones), parameters ($1) and comments (the sqlcommenter
// attribution) are kept. Not a SQL parser: it errs on the side of masking.
//
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace rls_shadow {

std::string MaskSqlLiterals(std::string_view sql);

}  // namespace rls_shadow

// Placeholder values: what a config or a doc puts where a credential would go, but is not one.
// Used by rules with `skip_placeholders = true` (patterns/README.md lists what is rejected).
#pragma once

#include <string_view>

namespace ks {

// True when `value` is empty, a variable reference or template (${VAR}, $VAR, %(x)s, {{ x }}, <%= x %>,
// @VAR@), a lookup call (os.environ[...], getenv(...), ENV.fetch, process.env.X, System.getenv, ...), a
// bracketed name (<password>, [token]), a mask (xxxx, ****, ....), or a stock placeholder word
// (changeme, example, your_password, dummy, redacted, ...).
bool looks_like_placeholder(std::string_view value);

}  // namespace ks

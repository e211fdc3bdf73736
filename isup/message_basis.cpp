#include "isup/message_basis.h"

#include <algorithm>

namespace isupgw::isup {

namespace {
bool has_code(const auto& part, std::uint8_t code) {
  return std::any_of(part.begin(), part.end(), [code](const Param& p) { return p.code == code; });
}
}  // namespace

void rebase(MessageBuilder& out, const Message& own, const Message& basis, bool optional_part) {
  for (const Param& p : own.fixed) {
    const Param* b = basis.find(p.code);
    out.fixed(p.code, b != nullptr && b->value.size() == p.value.size() ? b->value : p.value);
  }
  for (const Param& p : own.variable) {
    const Param* b = basis.find(p.code);
    out.variable(p.code, b != nullptr && !b->value.empty() ? b->value : p.value);
  }
  if (optional_part)
    for (const Param& p : basis.optional)
      if (!has_code(own.fixed, p.code) && !has_code(own.variable, p.code)) out.optional(p.code, p.value);
  for (const Param& p : own.optional)
    if (!optional_part || !has_code(basis.optional, p.code)) out.optional(p.code, p.value);
}

}  // namespace isupgw::isup

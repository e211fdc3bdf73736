// SIP-I / SIP-T transparency (Q.1912.5 profile C, RFC 3372 2): the message a
// SIP peer encapsulated is the basis of the ISUP message call control sends in
// its place. Call control decides the message type (an ACM already went, so
// a 180 with an encapsulated ACM becomes a CPG; a 200 with an ANM before any
// ACM becomes a CON) and its own mandatory values; the basis supplies every
// parameter it carries.
#pragma once

#include "isup/builder.h"
#include "isup/message.h"

namespace isupgw::isup {

// `own` rebuilt on `basis` into `out` (same type and CIC as `own`): each
// mandatory parameter from the basis when it carries one of that name (a fixed
// one only with the layout's size), else own's; then the basis's optional part
// in its wire order, less the parameters that became mandatory ones; then
// own's optional parameters the basis lacks. With `optional_part` false only
// the mandatory parameters come from the basis (an ANSI ACM sent ahead of the
// ANM a CON stands for must not repeat the ANM's optional part).
void rebase(MessageBuilder& out, const Message& own, const Message& basis, bool optional_part = true);

}  // namespace isupgw::isup

// H.248.1 Annex B text, one level below the message model: the generic shape
// every production of the ABNF shares --
//     item = ["O-"]["W-"] [TimeStamp ":"] name [("=" / INEQUAL) value] [LBRKT items RBRKT]
// -- parsed into a tree of Nodes; h248_codec.cpp gives the nodes their meaning
// (the writer, h248_encode.cpp, writes the same shape straight from the model).
// Local/Remote bodies (octetString, B.2) are kept as raw text; a quoted string
// standing alone in braces (errorDescriptor) becomes a node with an empty name.
// LWSP (B.2) is SP, HTAB, CR, LF and ";" comments to the end of the line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace isupgw::mediagw::h248 {

enum class ParseError : std::uint8_t {
  kEmpty,          // nothing but white space
  kTooLong,        // over kMaxMessageSize
  kTooDeep,        // braces nested deeper than kMaxDepth
  kTooManyItems,   // more than kMaxItems items
  kBadHeader,      // not "MEGACO/<version> <mId> " (or "!/<version>")
  kBadCharacter,   // a character no production allows here
  kUnterminated,   // end of text inside braces, quotes, brackets
  kTrailingText,   // text after the message body
  kUnknownToken,   // a name that is no token allowed at this place
  kMissingValue,   // "Token =" without the value, or a value where none belongs
  kBadNumber,      // transaction/request id, error code, delay... out of range or not digits
  kBadContextId,   // not UINT32, "-", "$" or "*"
  kBadDescriptor,  // a descriptor's contents do not fit its production
  kDuplicate,      // a descriptor or parameter given twice
  kUnsupported,    // valid H.248 this model does not hold (see h248_message.h)
};
std::string_view to_string(ParseError e);

struct ParseFailure {
  ParseError error;
  std::size_t offset;  // byte offset in the input where it was found
};

inline constexpr std::size_t kMaxMessageSize = 65535;  // one UDP datagram
inline constexpr std::size_t kMaxDepth = 16;
inline constexpr std::size_t kMaxItems = 4096;

// Names, values and octet strings are views into the parsed text (or into the tree's `owned`
// strings, for a bracketed list written with white space): a parse allocates only the child lists.
struct Node {
  std::string_view name;       // as written, without "O-"/"W-"; empty for a lone quoted string
  std::string_view timestamp;  // observed event's "yyyymmddThhmmssss", else empty
  bool optional = false;       // "O-"
  bool wildcard = false;       // "W-"
  char relation = 0;           // '=', '>', '<', '#' or 0
  std::string_view value;      // VALUE as on the wire (quotes and brackets kept, no white space in lists)
  bool braces = false;         // a { } group follows
  bool raw = false;            // Local/Remote: `text` holds the octet string
  std::string_view text;       // raw octet string, outer LWSP trimmed
  std::vector<Node> children;
  std::size_t offset = 0;  // where the item starts in the input
};

// Valid while the parsed text lives (the views point into it).
struct SyntaxTree {
  SyntaxTree() = default;
  SyntaxTree(SyntaxTree&&) = default;  // moving keeps the owned strings where the views point
  SyntaxTree& operator=(SyntaxTree&&) = default;
  SyntaxTree(const SyntaxTree&) = delete;  // a copy's views would point into the original
  SyntaxTree& operator=(const SyntaxTree&) = delete;
  unsigned version = 0;
  std::string_view mid;
  std::vector<Node> body;
  std::forward_list<std::string> owned;  // values rewritten without their white space
};

Result<SyntaxTree, ParseFailure> parse_syntax(std::string_view text);

}  // namespace isupgw::mediagw::h248

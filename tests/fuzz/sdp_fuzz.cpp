// libFuzzer target: SDP (parse, serialize, parse again: stable), offer/answer
// on whatever parses, and multipart bodies (parse, build, parse again: same
// parts). A body starting with "--" takes its boundary from its first line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/multipart.h"
#include "sip/offer_answer.h"
#include "sip/sdp.h"

namespace {

using namespace isupgw::sip;

void check(bool ok) {
  if (!ok) std::abort();
}

void sdp_paths(std::string_view in) {
  auto s = parse_sdp(in);
  if (!s) return;
  const std::string once = serialize_sdp(*s);
  auto again = parse_sdp(once);
  check(again.ok());
  check(serialize_sdp(*again) == once);
  LocalMedia local;
  local.address = "192.0.2.1";
  local.port = 4000;
  auto answer = make_answer(*s, local);
  if (answer) {
    const std::string text = serialize_sdp(answer->sdp);
    auto parsed = parse_sdp(text);
    check(parsed.ok());
    check(parsed->media.size() == s->media.size());
    (void)accept_answer(*s, *parsed, local);
  }
  (void)accept_answer(make_offer(local), *s, local);
}

void multipart_paths(std::string_view in) {
  std::string_view boundary = "b";
  if (in.substr(0, 2) == "--") {
    std::size_t eol = in.find("\r\n");
    boundary = in.substr(2, eol == std::string_view::npos ? std::string_view::npos : eol - 2);
  }
  auto parts = parse_multipart(in, boundary);
  if (parts) {
    std::vector<BodyPart> built;
    for (const auto& p : *parts)
      built.push_back({std::string(p.content_type), std::string(p.content_disposition), std::string(p.body)});
    const std::string text = build_multipart(built, boundary);
    auto again = parse_multipart(text, boundary);
    check(again.ok());
    check(again->size() == parts->size());
    for (std::size_t i = 0; i < parts->size(); ++i) {
      check((*again)[i].body == (*parts)[i].body);
      check((*again)[i].content_type == (*parts)[i].content_type);
      check((*again)[i].content_disposition == (*parts)[i].content_disposition);
    }
  }
  std::string ct = "multipart/mixed;boundary=\"" + std::string(boundary) + "\"";
  auto bodies = split_bodies(ct, "", in);
  if (bodies && bodies->sdp) (void)parse_sdp(*bodies->sdp);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  sdp_paths(in);
  multipart_paths(in);
  return 0;
}

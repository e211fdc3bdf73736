// RFC 4475-style torture corpus: tests/unit/sip/torture/<name>.sip hold wire
// bytes written after the RFC's cases (own messages, same tortures). Valid
// ones must parse with the expected fields; invalid ones must be rejected
// with the fault (and so the status) the RFC expects.
#include <gtest/gtest.h>

#include <string>

#include "sip/message.h"
#include "sip/serializer.h"
#include "tests/unit/sip/torture.h"

namespace isupgw::sip {
namespace {

std::string load(const std::string& name) {
  std::string bytes = test::load_torture(name);
  EXPECT_FALSE(bytes.empty()) << name;
  return bytes;
}

struct Valid {
  const char* file;
  const char* method;  // request method or "" for a response
  int status;
  const char* call_id;
  std::uint32_t cseq;
  const char* from_tag;
  const char* to_tag;
  std::size_t vias;
  const char* top_transport;
  const char* top_branch;
};

class ValidCorpus : public ::testing::TestWithParam<Valid> {};

TEST_P(ValidCorpus, ParsesWithExpectedFields) {
  const Valid& v = GetParam();
  std::string data = load(v.file);
  Message m;
  auto r = parse_message(data, m);
  ASSERT_TRUE(r.ok()) << v.file << ": " << r.error().warning_text();
  if (*v.method) {
    EXPECT_TRUE(m.is_request());
    EXPECT_EQ(m.method_text, v.method);
    EXPECT_EQ(m.cseq.method, v.method);
  } else {
    EXPECT_TRUE(m.is_response());
    EXPECT_EQ(m.status, v.status);
  }
  EXPECT_EQ(m.call_id, v.call_id);
  EXPECT_EQ(m.cseq.number, v.cseq);
  if (v.from_tag) {
    EXPECT_EQ(m.from.tag(), v.from_tag);
  }
  EXPECT_EQ(m.to.tag(), v.to_tag);
  EXPECT_EQ(m.values(HeaderId::kVia).size(), v.vias);
  EXPECT_EQ(m.top_via.transport, v.top_transport);
  EXPECT_EQ(m.top_via.branch(), v.top_branch);

  // Serialize and parse again: same fields.
  std::string again = serialize(m);
  Message m2;
  auto r2 = parse_message(again, m2);
  ASSERT_TRUE(r2.ok()) << v.file << ": " << r2.error().warning_text() << "\n" << again;
  EXPECT_EQ(m2.method_text, m.method_text);
  EXPECT_EQ(m2.status, m.status);
  EXPECT_EQ(m2.call_id, m.call_id);
  EXPECT_EQ(m2.cseq.number, m.cseq.number);
  EXPECT_EQ(m2.from.tag(), m.from.tag());
  EXPECT_EQ(m2.to.tag(), m.to.tag());
  EXPECT_EQ(m2.body, m.body);
  EXPECT_EQ(m2.headers().size(), m.headers().size());
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4475, ValidCorpus,
    ::testing::Values(
        Valid{"wsinv", "INVITE", 0, "wsinv.ndaksdj@192.0.2.1", 9, "98asjd8", "1918181833n", 3, "UDP", "390skdjuw"},
        Valid{"intmeth", "!interesting-Method0123456789_*+`.%indeed'~", 0,
              "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", 139122385, "_token~1'+`*%!-.", "", 1, "TCP",
              "z9hG4bK-.!%66*_+`'~"},
        Valid{"esc01", "INVITE", 0, "esc01.239409asdfakjkn23onasd0-3234", 234234, "938", "", 1, "UDP", "z9hG4bKkdjuw"},
        Valid{"escnull", "REGISTER", 0, "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd", 14398234, "839923423", "", 1,
              "UDP", "z9hG4bKkdjuw"},
        Valid{"esc02", "RE%47IST", 0, "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf", 29344, "f232jadfj23", "", 1, "TCP",
              "z9hG4bK209824u"},
        Valid{"lwsdisp", "OPTIONS", 0, "lwsdisp.1234abcd@funky.example.com", 60, "323", "", 1, "UDP", "z9hG4bKkdjuw"},
        Valid{"longreq", "INVITE", 0,
              "longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallylongcallid", 3882340,
              nullptr, "", 34, "TCP", ""},
        Valid{"dblreq", "REGISTER", 0, "dblreq.0ha0isndaksdj99sdfafnl3lk233412", 8, "43251j3j324", "", 1, "UDP",
              "z9hG4bKon23n34sd"},
        Valid{"semiuri", "OPTIONS", 0, "semiuri.0ha0isndaksdj", 8, "33242", "", 1, "UDP", "z9hG4bKkdjuw"},
        Valid{"transports", "OPTIONS", 0, "transports.kijh4akdnaqjkwendsasfdj", 60, "323", "", 5, "UDP",
              "z9hG4bKkdjuw"},
        Valid{"mpart01", "INVITE", 0, "mpart01.1717@192.0.2.30", 1, "mp01", "", 1, "UDP", "z9hG4bKmp17a"},
        Valid{"unreason", "", 200, "unreason.1234ksdfak3j2erwedfsASdf", 35, "11141343", "2229", 1, "UDP",
              "z9hG4bK1324923"},
        Valid{"noreason", "", 100, "noreason.asndj203insdf99223ndf", 35, "39ansfi3", "902jndnke3", 1, "UDP",
              "z9hG4bK2398ndaoe"},
        Valid{"ipv6", "INVITE", 0, "SSG9559905523997077@hlau_4100", 8612, "81x2", "", 1, "UDP", "z9hG4bKas3-111"},
        Valid{"gwheaders", "INVITE", 0, "gwheaders-1@192.0.2.40", 101, "a1", "", 1, "TCP", "z9hG4bKgw1"},
        Valid{"inv2543", "INVITE", 0, "inv2543.1717@ift.client.example.com", 56, "", "", 1, "UDP", ""},
        Valid{"regaui", "REGISTER", 0, "regaut01.0ha0isndaksdj", 9338, "87321hj23128", "", 1, "TCP", "z9hG4bKkdjuw"},
        Valid{"zeromf", "OPTIONS", 0, "zeromf.jfasdlfnm2o2l43r5u0asdfas", 39234321, "3ghsd41", "", 1, "UDP",
              "z9hG4bKkdjuw2349i"}),
    [](const auto& info) { return std::string(info.param.file); });

struct Invalid {
  const char* file;
  Fault fault;
  int status;
  bool answerable;  // build_error_response() can build the 400
};

class InvalidCorpus : public ::testing::TestWithParam<Invalid> {};

TEST_P(InvalidCorpus, RejectedWithFault) {
  const Invalid& v = GetParam();
  std::string data = load(v.file);
  Message m;
  auto r = parse_message(data, m);
  ASSERT_FALSE(r.ok()) << v.file;
  EXPECT_EQ(r.error().fault, v.fault) << v.file << ": " << r.error().warning_text();
  EXPECT_EQ(status_for(r.error().fault), v.status);
  auto resp = build_error_response(m, r.error(), "gw.example.net", "gwtag1");
  EXPECT_EQ(resp.has_value(), v.answerable) << v.file;
  if (resp) {
    Message rm;
    // The response copies the request's headers, broken one included (8.2.6.2).
    auto rr = parse_frame(*resp, rm);
    ASSERT_TRUE(rr.ok()) << *resp;
    EXPECT_EQ(rm.status, v.status);
    // 8.2.6.2: each of From, Call-ID, CSeq copied when the request has it,
    // absent when it has not; the Vias always (no Via, no response).
    EXPECT_EQ(rm.first(HeaderId::kCallId), m.first(HeaderId::kCallId));
    EXPECT_EQ(rm.first(HeaderId::kFrom), m.first(HeaderId::kFrom));
    EXPECT_EQ(rm.first(HeaderId::kCSeq), m.first(HeaderId::kCSeq));
    EXPECT_EQ(rm.has(HeaderId::kTo), m.has(HeaderId::kTo));
    EXPECT_GE(rm.count(HeaderId::kVia), 1u);
    EXPECT_EQ(rm.count(HeaderId::kVia), m.count(HeaderId::kVia));
    auto warning = rm.first(HeaderId::kWarning);
    ASSERT_TRUE(warning.has_value());
    EXPECT_NE(warning->find(describe(v.fault)), std::string_view::npos) << *warning;
    EXPECT_EQ(warning->substr(0, 19), "399 gw.example.net ");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4475, InvalidCorpus,
    ::testing::Values(
        Invalid{"badinv01", Fault::kBadParam, 400, true}, Invalid{"clerr", Fault::kBodyTruncated, 400, true},
        Invalid{"scalar02", Fault::kBadContentLength, 400, true}, Invalid{"scalarlg", Fault::kBadCSeq, 400, true},
        Invalid{"quotbal", Fault::kBadQuotedString, 400, true}, Invalid{"ltgtruri", Fault::kBadUriScheme, 400, false},
        Invalid{"lwsruri", Fault::kBadStartLine, 400, false}, Invalid{"lwsstart", Fault::kBadStartLine, 400, false},
        Invalid{"trws", Fault::kBadStartLine, 400, false}, Invalid{"escruri", Fault::kBadRequestUri, 400, false},
        Invalid{"regbadct", Fault::kBadNameAddr, 400, true}, Invalid{"badaspec", Fault::kBadUriScheme, 400, true},
        Invalid{"baddn", Fault::kBadNameAddr, 400, true}, Invalid{"badvers", Fault::kBadVersion, 505, false},
        Invalid{"mismatch01", Fault::kCSeqMethodMismatch, 400, true},
        Invalid{"mismatch02", Fault::kCSeqMethodMismatch, 400, true},
        Invalid{"bigcode", Fault::kBadStatusCode, 400, false}, Invalid{"insuf", Fault::kMissingFrom, 400, true},
        Invalid{"multi01", Fault::kDuplicateHeader, 400, true}, Invalid{"mcl01", Fault::kDuplicateHeader, 400, true},
        Invalid{"badmf", Fault::kBadMaxForwards, 400, true}, Invalid{"badcseq", Fault::kBadCSeq, 400, true},
        Invalid{"noend", Fault::kNoHeaderEnd, 400, false}),
    [](const auto& info) { return std::string(info.param.file); });

// RFC 4475 3.1.2.18 "insuf": no Call-ID, From or To; "the appropriate response
// is 400 Bad Request" -- carrying the Via and CSeq it has, nothing invented.
TEST(Torture, InsufAnswered400WithViaAndCSeqOnly) {
  std::string data = load("insuf");
  Message m;
  auto r = parse_message(data, m);
  ASSERT_FALSE(r.ok());
  auto resp = build_error_response(m, r.error(), "gw.example.net", "gwtag1");
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(*resp,
            "SIP/2.0 400 Bad Request\r\n"
            "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\n"
            "CSeq: 193942 INVITE\r\n"
            "Warning: 399 gw.example.net \"From: missing From\"\r\n"
            "Content-Length: 0\r\n\r\n");
  Message rm;
  ASSERT_TRUE(parse_frame(*resp, rm).ok());
  EXPECT_TRUE(rm.is_response());
  EXPECT_EQ(rm.status, 400);
  EXPECT_FALSE(rm.has(HeaderId::kCallId));
}

// Only Call-ID missing: the 400 copies Via, From, To (tagged), CSeq.
TEST(Torture, MissingCallIdAnsweredWithoutCallId) {
  const std::string data =
      "OPTIONS sip:user@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKnocid\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:a@example.com>;tag=f1\r\n"
      "To: <sip:user@example.com>\r\n"
      "CSeq: 7 OPTIONS\r\n"
      "Content-Length: 0\r\n\r\n";
  Message m;
  auto r = parse_message(data, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fault, Fault::kMissingCallId);
  auto resp = build_error_response(m, r.error(), "gw.example.net", "gwtag1");
  ASSERT_TRUE(resp.has_value());
  Message rm;
  ASSERT_TRUE(parse_frame(*resp, rm).ok()) << *resp;
  EXPECT_EQ(rm.status, 400);
  EXPECT_EQ(rm.first(HeaderId::kVia), "SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKnocid");
  EXPECT_EQ(rm.first(HeaderId::kFrom), "<sip:a@example.com>;tag=f1");
  EXPECT_EQ(rm.first(HeaderId::kTo), "<sip:user@example.com>;tag=gwtag1");
  EXPECT_EQ(rm.first(HeaderId::kCSeq), "7 OPTIONS");
  EXPECT_FALSE(rm.has(HeaderId::kCallId));
  EXPECT_EQ(rm.first(HeaderId::kWarning), "399 gw.example.net \"Call-ID: missing Call-ID\"");
}

// Only CSeq missing: still answerable (RFC 4475 3.1.2.18 asks for 400); the 400 copies Via, From, To
// (tagged), Call-ID and invents no CSeq.
TEST(Torture, MissingCSeqAnsweredWithoutCSeq) {
  const std::string data =
      "OPTIONS sip:user@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKnocseq\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:a@example.com>;tag=f1\r\n"
      "To: <sip:user@example.com>\r\n"
      "Call-ID: nocseq@192.0.2.7\r\n"
      "Content-Length: 0\r\n\r\n";
  Message m;
  auto r = parse_message(data, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fault, Fault::kMissingCSeq);
  auto resp = build_error_response(m, r.error(), "gw.example.net", "gwtag1");
  ASSERT_TRUE(resp.has_value());
  Message rm;
  ASSERT_TRUE(parse_frame(*resp, rm).ok()) << *resp;
  EXPECT_EQ(rm.status, 400);
  EXPECT_EQ(rm.first(HeaderId::kVia), "SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKnocseq");
  EXPECT_EQ(rm.first(HeaderId::kCallId), "nocseq@192.0.2.7");
  EXPECT_EQ(rm.first(HeaderId::kTo), "<sip:user@example.com>;tag=gwtag1");
  EXPECT_FALSE(rm.has(HeaderId::kCSeq));
  EXPECT_EQ(rm.first(HeaderId::kWarning), "399 gw.example.net \"CSeq: missing CSeq\"");
}

// No Via: nowhere to send a response (18.2.2); the caller drops and counts.
TEST(Torture, MissingViaNotAnswered) {
  const std::string data =
      "OPTIONS sip:user@example.com SIP/2.0\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:a@example.com>;tag=f1\r\n"
      "To: <sip:user@example.com>\r\n"
      "Call-ID: novia@192.0.2.7\r\n"
      "CSeq: 7 OPTIONS\r\n"
      "Content-Length: 0\r\n\r\n";
  Message m;
  auto r = parse_message(data, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fault, Fault::kMissingVia);
  EXPECT_FALSE(build_error_response(m, r.error(), "gw.example.net", "gwtag1").has_value());
}

TEST(Torture, WsinvFieldsThroughFoldsAndCompactForms) {
  std::string data = load("wsinv");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  EXPECT_EQ(m.request_uri.host, "chair-dnrc.example.com");
  EXPECT_TRUE(m.request_uri.params.has("unknownparam"));
  EXPECT_EQ(m.max_forwards, 68u);
  EXPECT_EQ(grammar::unquote(m.from.display_name), "J Rosenberg \\\\\\\"");
  EXPECT_EQ(m.from.uri.user, "jdrosen");
  EXPECT_EQ(m.to.uri.user, "vivekg");
  EXPECT_FALSE(m.to.angle_brackets);
  EXPECT_EQ(m.first(HeaderId::kSubject), "");
  EXPECT_EQ(m.first("NewFangledHeader"), "newfangled value\r\n continued newfangled value");
  std::vector<std::string_view> branches;
  for (auto v : m.values(HeaderId::kVia)) branches.push_back(parse_via(v)->branch());
  EXPECT_EQ(branches, (std::vector<std::string_view>{"390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"}));
  auto contact = parse_name_addr(*m.values(HeaderId::kContact).begin(), true);
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->display_name, "\"Quoted string \\\"\\\"\"");
  EXPECT_EQ(contact->params.get("newparam"), "newvalue");
  EXPECT_TRUE(contact->params.has("secondparam"));
  EXPECT_EQ(contact->params.get("q"), "0.33");
  auto route = parse_name_addr(*m.first(HeaderId::kRoute));
  ASSERT_TRUE(route.ok());
  EXPECT_TRUE(route->uri.params.has("lr"));
  EXPECT_EQ(route->uri.params.get("unknownwith"), "value");
  EXPECT_EQ(m.body.size(), *m.content_length);
}

TEST(Torture, EscapesKeptAndDecodable) {
  std::string data = load("esc01");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  EXPECT_EQ(m.request_uri.user, "sips%3Auser%40example.com");
  EXPECT_EQ(grammar::unescape(m.request_uri.user), "sips:user@example.com");
  EXPECT_EQ(grammar::unescape(m.to.uri.user), "user");
  auto c = parse_name_addr(*m.first(HeaderId::kContact));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(grammar::unescape(*c->uri.params.get("n%61me")), "value%41");
  data = load("escnull");
  ASSERT_TRUE(parse_message(data, m).ok());
  EXPECT_EQ(grammar::unescape(m.to.uri.user), std::string("null-\0-null", 11));
  EXPECT_EQ(m.values(HeaderId::kContact).size(), 2u);
}

TEST(Torture, IntmethUserinfoAndControlOctetsInQuotedPairs) {
  std::string data = load("intmeth");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  EXPECT_EQ(m.method, Method::kUnknown);
  EXPECT_EQ(m.request_uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(m.request_uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  EXPECT_EQ(m.request_uri.host, "example.com");
  EXPECT_EQ(m.from.display_name, "token1~` token2'+_ token3*%!.-");
  EXPECT_EQ(m.to.display_name.size(), 22u);  // "BEL:\\<07> NUL:\\<00> DEL:\\<7f>"
}

TEST(Torture, LongreqLongValues) {
  std::string data = load("longreq");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  std::string tag;
  for (int i = 0; i < 40; ++i) tag += "12982424";
  EXPECT_EQ(m.from.tag(), tag);
  EXPECT_EQ(m.from.uri.user.size(), 23u + 120u);
  EXPECT_GT(m.raw.size(), 4000u);
}

TEST(Torture, DblreqTakesOnlyTheFirstRequest) {
  std::string data = load("dblreq");
  Message m;
  auto r = parse_message(data, m);
  ASSERT_TRUE(r.ok());
  EXPECT_LT(*r, data.size());
  EXPECT_TRUE(m.body.empty());
  EXPECT_EQ(data.substr(*r, 6), "INVITE");
}

TEST(Torture, SemiUriUserHoldsSemicolon) {
  std::string data = load("semiuri");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  EXPECT_EQ(m.request_uri.user, "user;par=u%40example.net");
  EXPECT_EQ(m.request_uri.host, "example.com");
  EXPECT_EQ(m.values(HeaderId::kAccept).size(), 6u);
}

TEST(Torture, TransportsAllKept) {
  std::string data = load("transports");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  std::vector<std::string_view> t;
  for (auto v : m.values(HeaderId::kVia)) t.push_back(parse_via(v)->transport);
  EXPECT_EQ(t, (std::vector<std::string_view>{"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"}));
}

TEST(Torture, Ipv6References) {
  std::string data = load("ipv6");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  EXPECT_EQ(m.request_uri.host, "[2001:db8::10]");
  EXPECT_EQ(m.request_uri.port, 5070);
  EXPECT_TRUE(m.request_uri.ipv6());
  EXPECT_EQ(m.top_via.host, "[2001:db8::9:1]");
  EXPECT_EQ(m.top_via.port, 5060);
  EXPECT_EQ(m.top_via.received(), "[2001:db8::9:255]");
}

TEST(Torture, ZeroMaxForwardsParsesButIsExhausted) {
  std::string data = load("zeromf");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  EXPECT_TRUE(m.max_forwards_exhausted());
}

TEST(Torture, RegauiUriHeadersInsideAngleBrackets) {
  std::string data = load("regaui");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  auto c = parse_name_addr(*m.first(HeaderId::kContact));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->uri.headers, "Route=%3Csip:sip.example.com%3E");
  EXPECT_EQ(m.first("authorization"), "NoOneKnowsThisScheme opaque-data=here");
}

}  // namespace
}  // namespace isupgw::sip

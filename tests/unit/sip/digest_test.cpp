// RFC 7616 Digest: the example of 3.9.1 (SHA-256 and MD5), header grammar, and the
// UAS side's nonce lifetime and nonce-count replay protection (3.4.5).
#include "sip/digest.h"

#include <gtest/gtest.h>

#include "sip/digest_server.h"

namespace isupgw::sip {
namespace {

// RFC 7616 3.9.1: user Mufasa, password "Circle of Life", GET /dir/index.html.
constexpr const char* kNonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr const char* kCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

TEST(Digest, Rfc7616ExampleResponses) {
  EXPECT_EQ(digest_response(DigestAlgorithm::kSha256, "Mufasa", "http-auth@example.org", "Circle of Life", "GET",
                            "/dir/index.html", kNonce, "00000001", kCnonce, "auth"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  EXPECT_EQ(digest_response(DigestAlgorithm::kMd5, "Mufasa", "http-auth@example.org", "Circle of Life", "GET",
                            "/dir/index.html", kNonce, "00000001", kCnonce, "auth"),
            "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(Digest, ParsesTheRfc7616Challenge) {
  auto c = parse_digest_challenge(
      "Digest\r\n realm=\"http-auth@example.org\",\r\n qop=\"auth, auth-int\",\r\n algorithm=SHA-256,\r\n"
      " nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->realm, "http-auth@example.org");
  EXPECT_EQ(c->algorithm, DigestAlgorithm::kSha256);
  EXPECT_TRUE(c->qop_auth);
  EXPECT_FALSE(c->stale);
  EXPECT_EQ(c->opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
}

TEST(Digest, ChallengeDefaultsAndFaults) {
  auto md5 = parse_digest_challenge("digest realm=\"sip.example\", nonce=\"abc\", stale=TRUE");
  ASSERT_TRUE(md5.ok());
  EXPECT_EQ(md5->algorithm, DigestAlgorithm::kMd5);  // absent: MD5 (RFC 7616 3.3)
  EXPECT_TRUE(md5->stale);
  EXPECT_FALSE(md5->qop_given);
  EXPECT_EQ(parse_digest_challenge("Basic realm=\"x\"").error(), "not Digest");
  EXPECT_EQ(parse_digest_challenge("Digest realm=\"x\"").error(), "missing nonce");
  EXPECT_EQ(parse_digest_challenge("Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256").error(),
            "unknown algorithm 'SHA-512-256'");
  EXPECT_FALSE(parse_digest_challenge("Digest realm=\"x, nonce=\"n\"").ok());  // the quote swallows the comma
  EXPECT_FALSE(parse_digest_challenge("Digest realm=\"x\", nonce=\"n\", qop=\"auth-int\"").ok());
  EXPECT_EQ(parse_digest_challenge("Digest realm=\"x\", realm=\"y\", nonce=\"n\"").error(), "repeated directive");
  EXPECT_EQ(parse_digest_challenge("Digest realm=\"x\" nonce=\"n\"").error(), "missing ',' between directives");
}

TEST(Digest, CredentialsRoundTrip) {
  DigestChallenge ch;
  ch.realm = "carrier.example";
  ch.nonce = "n\"1";  // escaped in the header
  ch.algorithm = DigestAlgorithm::kSha256;
  ch.qop_auth = true;
  ch.opaque = "op";
  auto cr = answer_challenge(ch, "gw", "secret", "INVITE", "sip:+4930@carrier.example", "c0ffee");
  const std::string text = format_credentials(cr);
  auto back = parse_digest_credentials(text);
  ASSERT_TRUE(back.ok()) << back.error() << " in " << text;
  EXPECT_EQ(back->nonce, "n\"1");
  EXPECT_EQ(back->nc, "00000001");
  EXPECT_EQ(back->qop, "auth");
  EXPECT_EQ(back->response, digest_response(DigestAlgorithm::kSha256, "gw", "carrier.example", "secret", "INVITE",
                                            "sip:+4930@carrier.example", "n\"1", "00000001", "c0ffee", "auth"));
  EXPECT_EQ(parse_digest_credentials("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", "
                                     "qop=auth, nc=1, cnonce=\"c\"")
                .error(),
            "nc must be 8 hex digits");
  EXPECT_EQ(parse_digest_credentials("Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"").error(),
            "missing username");
}

struct ServerFixture : ::testing::Test {
  ManualClock clock;
  DigestServer server{clock, {1, 2, 3}, std::chrono::seconds(30)};
  DigestCredentials answer(const DigestChallenge& ch, const char* password, const char* nc = "00000001") {
    auto c = answer_challenge(ch, "gw", password, "INVITE", "sip:1@x", "cn");
    c.nc = nc;
    c.response =
        digest_response(c.algorithm, "gw", ch.realm, password, "INVITE", "sip:1@x", ch.nonce, c.nc, "cn", "auth");
    return c;
  }
};

TEST_F(ServerFixture, AcceptsOnceThenOnlyAHigherNonceCount) {
  auto ch = server.challenge("r", DigestAlgorithm::kSha256, false);
  EXPECT_EQ(server.check(answer(ch, "pw"), "INVITE", "r", "gw", "pw"), DigestServer::Verdict::kOk);
  EXPECT_EQ(server.check(answer(ch, "pw"), "INVITE", "r", "gw", "pw"), DigestServer::Verdict::kReplay);
  EXPECT_EQ(server.check(answer(ch, "pw", "00000002"), "INVITE", "r", "gw", "pw"), DigestServer::Verdict::kOk);
  EXPECT_EQ(server.check(answer(ch, "pw", "00000002"), "INVITE", "r", "gw", "pw"), DigestServer::Verdict::kReplay);
}

TEST_F(ServerFixture, WrongPasswordStaleAndForeignNonces) {
  auto ch = server.challenge("r", DigestAlgorithm::kMd5, false);
  EXPECT_EQ(server.check(answer(ch, "guess"), "INVITE", "r", "gw", "pw"), DigestServer::Verdict::kWrong);
  // A wrong guess spends no count: the right answer with nc 1 still passes.
  EXPECT_EQ(server.check(answer(ch, "pw"), "INVITE", "r", "gw", "pw"), DigestServer::Verdict::kOk);
  auto old = server.challenge("r", DigestAlgorithm::kMd5, false);
  clock.advance(std::chrono::seconds(31));
  EXPECT_EQ(server.check(answer(old, "pw"), "INVITE", "r", "gw", "pw"), DigestServer::Verdict::kStale);
  auto forged = old;
  forged.nonce[40] = forged.nonce[40] == '0' ? '1' : '0';
  EXPECT_EQ(server.check(answer(forged, "pw"), "INVITE", "r", "gw", "pw"), DigestServer::Verdict::kBadNonce);
  DigestServer other{clock, {9}, std::chrono::seconds(30)};
  auto theirs = other.challenge("r", DigestAlgorithm::kMd5, false);
  EXPECT_EQ(server.check(answer(theirs, "pw"), "INVITE", "r", "gw", "pw"), DigestServer::Verdict::kBadNonce);
}

}  // namespace
}  // namespace isupgw::sip

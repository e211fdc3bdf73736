// libFuzzer target: the management API's request handling -- an HTTP/1.1
// request parsed by Beast with the server's bounds, then the router (token,
// target decoding, route match) and the REST handlers (JSON bodies) over a
// management model whose stacks are empty (actions answer 404/503).
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>

#include "base/clock.h"
#include "base/counters.h"
#include "http/router.h"
#include "mgmt/rest_api.h"

namespace {

using namespace isupgw;

class NoStacks final : public mgmt::Stacks {
 public:
  Counters& counters() override { return counters_; }
  const Clock& clock() override { return clock_; }
  sigtran::PointCodeFormat point_code_format() const override { return sigtran::PointCodeFormat::kItu383; }
  engine::CallEngine* engine() override { return nullptr; }
  sip::UserAgent* sip() override { return nullptr; }
  isup::IsupCallControl* isup() override { return nullptr; }
  const std::map<std::string, isup::GroupId, std::less<>>& trunk_groups() override { return groups_; }
  sigtran::m3ua::Mtp3* m3ua() override { return nullptr; }
  std::span<const std::unique_ptr<sigtran::mtp3::LinkSet>> linksets() override { return {}; }
  std::vector<mgmt::MediaGatewayRef> media_gateways() override { return {}; }
  void post(std::function<void()> fn) override { fn(); }
  void reload(std::function<void(Result<mgmt::ReloadReport, std::string>)> done) override {
    done(Err(std::string("fuzz.yaml:1: no reload here")));
  }

 private:
  Counters counters_;
  ManualClock clock_;
  std::map<std::string, isup::GroupId, std::less<>> groups_;
};

struct Api {
  Api() {
    mgmt::register_rest_api(router, model);
    router.set_token("fuzz-token-0123456789");
  }
  NoStacks stacks;
  mgmt::Model model{stacks};
  http::Router router;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Api api;
  namespace bhttp = boost::beast::http;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  auto& req = parser.get();
  int replies = 0;
  const auto target = req.target();
  const auto auth = req[bhttp::field::authorization];
  api.router.dispatch(req.method(), std::string_view(target.data(), target.size()),
                      std::string_view(auth.data(), auth.size()), std::move(req.body()), [&](http::Response r) {
                        ++replies;
                        if (r.status < 200 || r.status > 599) __builtin_trap();
                      });
  if (replies != 1) __builtin_trap();  // every request is answered exactly once
  return 0;
}

#include "http/server.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace isupgw::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Server::State {
  ServerConfig cfg;
  const Router* router = nullptr;
  Counters* counters = nullptr;
  std::optional<asio::ssl::context> tls;
  std::size_t connections = 0;
  bool stopped = false;
  Counter* requests = nullptr;
  Counter* bad_requests = nullptr;
  Counter* unauthorized = nullptr;
  Counter* refused = nullptr;
};

namespace {

// A status line for errors the parser finds before a route sees the request.
unsigned status_for(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == bhttp::error::header_limit) return 431;
  return 400;
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<Server::State> st, Stream stream) : st_(std::move(st)), stream_(std::move(stream)) {}
  ~Session() {
    if (st_->connections > 0) --st_->connections;
  }

  void start() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(st_->cfg.idle_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->close();
        self->read();
      });
    } else {
      read();
    }
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  void read() {
    if (closed_ || st_->stopped) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(st_->cfg.max_header_bytes));
    parser_->body_limit(st_->cfg.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(st_->cfg.idle_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof || closed_)
      return close();
    if (ec) {
      // Malformed or beyond a bound: say so, then close (the stream's framing is lost).
      st_->bad_requests->inc();
      auto r = json_error(status_for(ec), "bad_request", ec.message());
      return write(std::move(r), false);
    }
    auto& req = parser_->get();
    st_->requests->inc();
    std::size_t fields = 0;
    for (auto it = req.begin(); it != req.end(); ++it) ++fields;
    if (fields > st_->cfg.max_headers) {
      st_->bad_requests->inc();
      return write(
          json_error(431, "bad_request", "more than " + std::to_string(st_->cfg.max_headers) + " header fields"),
          false);
    }
    const bool keep = req.keep_alive();
    const auto verb = req.method();
    const std::string target(req.target());
    const std::string auth(req[bhttp::field::authorization]);
    std::string body = std::move(req.body());
    beast::get_lowest_layer(stream_).expires_never();  // a handler may answer later (CQM waits for the CQR)
    st_->router->dispatch(verb, target, auth, std::move(body),
                          [self = this->shared_from_this(), keep](Response r) { self->write(std::move(r), keep); });
  }

  void write(Response r, bool keep) {
    if (closed_) return;
    if (r.status == 401) st_->unauthorized->inc();
    if (r.status >= 400 && r.status < 500 && r.status != 401) st_->bad_requests->inc();
    res_.emplace();
    res_->result(r.status);
    res_->version(11);
    res_->set(bhttp::field::server, "isupgw");
    res_->set(bhttp::field::content_type, r.content_type);
    res_->set(bhttp::field::cache_control, "no-store");
    for (auto& [k, v] : r.headers) res_->set(k, v);
    res_->body() = std::move(r.body);
    res_->keep_alive(keep && !st_->stopped);
    res_->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(st_->cfg.idle_timeout);
    bhttp::async_write(stream_, *res_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->res_->keep_alive()) return self->close();
      self->read();
    });
  }

  std::shared_ptr<Server::State> st_;
  Stream stream_;
  beast::flat_buffer buffer_{8192};
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
  bool closed_ = false;
};

}  // namespace

Server::Server(asio::io_context& io, ServerConfig cfg, Counters& counters)
    : cfg_(std::move(cfg)), state_(std::make_shared<State>()), acceptor_(io) {
  state_->cfg = cfg_;
  state_->router = &router_;
  state_->counters = &counters;
  state_->requests = &counters.get("mgmt.http.requests");
  state_->bad_requests = &counters.get("mgmt.http.bad_requests");
  state_->unauthorized = &counters.get("mgmt.http.unauthorized");
  state_->refused = &counters.get("mgmt.http.connections_refused");
  router_.set_token(cfg_.token);
}

Server::~Server() { stop(); }

Result<std::uint16_t, std::string> Server::start() {
  const std::string where = cfg_.address + ":" + std::to_string(cfg_.port);
  if (!cfg_.tls_certificate.empty() || !cfg_.tls_private_key.empty()) {
    try {
      auto& ctx = state_->tls.emplace(asio::ssl::context::tls_server);
      ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      ctx.use_certificate_chain_file(cfg_.tls_certificate);
      ctx.use_private_key_file(cfg_.tls_private_key, asio::ssl::context::pem);
    } catch (const boost::system::system_error& e) {
      return Err("management TLS: " + std::string(e.what()));
    }
  }
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(cfg_.address, ec);
  if (ec) return Err("management listener " + where + ": " + ec.message());
  const tcp::endpoint ep(addr, cfg_.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor_.close();
    return Err("management listener " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  accept();
  return port_;
}

std::string Server::url() const {
  const bool v6 = cfg_.address.find(':') != std::string::npos;
  return std::string(state_->tls ? "https" : "http") + "://" + (v6 ? "[" + cfg_.address + "]" : cfg_.address) + ":" +
         std::to_string(port_);
}

void Server::accept() {
  acceptor_.async_accept([this, st = state_](beast::error_code ec, tcp::socket sock) {
    if (st->stopped || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (st->connections >= st->cfg.max_connections) {
        st->refused->inc();
        beast::error_code ignored;
        sock.close(ignored);
      } else {
        ++st->connections;
        if (st->tls) {
          auto s = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
              st, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(sock)), *st->tls));
          s->start();
        } else {
          auto s = std::make_shared<Session<beast::tcp_stream>>(st, beast::tcp_stream(std::move(sock)));
          s->start();
        }
      }
    }
    accept();
  });
}

void Server::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  beast::error_code ec;
  acceptor_.close(ec);
}

}  // namespace isupgw::http

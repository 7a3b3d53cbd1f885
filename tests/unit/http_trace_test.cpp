// The HTTP client against a real server on 127.0.0.1: its progress reports, and its -v trace: a
// credential a request sends in its Authorization or Cookie header is hidden wherever the server
// echoes it, though no caller registered it (the client remembers it from the header itself).
#include <doctest/doctest.h>
#include <httplib.h>

#include <iostream>
#include <sstream>
#include <thread>

#include "net/http.hpp"

using authctl::net::ClientOptions;
using authctl::net::HttpClient;
using authctl::net::Request;

namespace {

// Answers every request with the credentials it got, in fields with harmless names.
struct EchoServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  EchoServer() {
    server.Get("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("{\"note\":\"" + req.get_header_value("Authorization") + "\",\"other\":\"" +
                          req.get_header_value("Cookie") + "\"}",
                      "application/json");
    });
    server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      res.set_content("{}", "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    // bind_to_any_port listens already: a request made before accept() runs waits for it.
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~EchoServer() {
    server.stop();
    thread.join();
  }
};

// The trace (stderr) of one request.
std::string traced(const EchoServer& echo, const authctl::net::Headers& headers,
                   std::string* body) {
  ClientOptions options;
  options.trace = true;
  HttpClient http(options);
  Request request;
  request.url = "http://127.0.0.1:" + std::to_string(echo.port) + "/echo";
  request.headers = headers;
  std::ostringstream captured;
  std::streambuf* old = std::cerr.rdbuf(captured.rdbuf());
  const auto response = http.perform(request);
  std::cerr.rdbuf(old);
  *body = response.body;
  return captured.str();
}

}  // namespace

TEST_CASE("a bearer token and a session cookie echoed by the server never reach the trace") {
  EchoServer echo;
  std::string body;
  const std::string trace = traced(echo,
                                   {{"Authorization", "Bearer tok-3b9f-never-shown"},
                                    {"Cookie", "HttpSessionID=ck-81aa-never-shown"}},
                                   &body);
  REQUIRE(body.find("tok-3b9f-never-shown") != std::string::npos);  // it was echoed
  REQUIRE(body.find("ck-81aa-never-shown") != std::string::npos);
  CHECK(trace.find("< [body]") != std::string::npos);  // the answer was traced
  CHECK(trace.find("never-shown") == std::string::npos);
  CHECK(trace.find("[REDACTED]") != std::string::npos);
}

TEST_CASE("perform() reports how long a request has taken, then that it finished") {
  EchoServer echo;
  std::vector<authctl::net::Progress> reports;
  ClientOptions options;
  options.progress = [&](const authctl::net::Progress& p) { reports.push_back(p); };
  HttpClient http(options);
  Request request;
  request.url = "http://127.0.0.1:" + std::to_string(echo.port) + "/slow";
  CHECK(http.perform(request).status == 200);
  REQUIRE(reports.size() >= 3);  // about every 100 ms of the 400
  CHECK(reports.back().finished);
  CHECK(reports.back().elapsed >= std::chrono::milliseconds(400));
  CHECK(reports.front().authority == "127.0.0.1:" + std::to_string(echo.port));
  for (size_t i = 0; i + 1 < reports.size(); ++i) {
    CHECK_FALSE(reports[i].finished);
    CHECK(reports[i].elapsed <= reports[i + 1].elapsed);
  }
}

TEST_CASE("a hook that throws abandons the request; the client works on") {
  EchoServer echo;
  bool stop = true;
  ClientOptions options;
  options.progress = [&](const authctl::net::Progress& p) {
    if (stop && p.elapsed > std::chrono::milliseconds(150)) throw std::runtime_error("stop");
  };
  HttpClient http(options);
  Request request;
  request.url = "http://127.0.0.1:" + std::to_string(echo.port) + "/slow";
  const auto started = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(http.perform(request), "stop");
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(390));
  stop = false;
  CHECK(http.perform(request).status == 200);
}

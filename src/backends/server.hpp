// A server reached by URL before there is a profile (a login, an account, a device code):
// one HTTP client shared by both servers' typed clients, so that the kind probe and the
// login that follows use the same connection. The command layer fills ConnectionOptions
// from its global options and never builds an HTTP client itself.
#pragma once

#include <optional>
#include <string>

#include "backends/neuron.hpp"
#include "backends/nexterm.hpp"
#include "net/http.hpp"
#include "store/credentials.hpp"

namespace authctl::backends {

// How to reach a server: TLS trust, timeout, trace and the User-Agent.
using ConnectionOptions = net::ClientOptions;

class Server {
 public:
  Server(ConnectionOptions options, const std::string& origin);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  NeuronClient& neuron() { return neuron_; }
  NextermClient& nexterm() { return nexterm_; }
  // Registers `secret` (a password, a key) with the trace.
  void hide(const std::string& secret);
  // Which server this is: Nexterm answers GET /api/service/version with JSON, Neuron answers
  // DomainInfo. `expected` is asked first: a Neuron that also answers /api/service/version
  // (or a man in the middle that makes it) stays a Neuron. Neither: Error(error,
  // Reason::unknown_server_kind) naming both answers.
  store::Kind detect_kind(std::optional<store::Kind> expected);

 private:
  net::HttpClient http_;
  NeuronClient neuron_;
  NextermClient nexterm_;
};

}  // namespace authctl::backends

#include "backends/server.hpp"

#include "core/error.hpp"

namespace authctl::backends {

Server::Server(ConnectionOptions options, const std::string& origin)
    : http_(std::move(options)), neuron_(http_, origin), nexterm_(http_, origin) {}

void Server::hide(const std::string& secret) {
  http_.add_secret(secret);
}

store::Kind Server::detect_kind(std::optional<store::Kind> expected) {
  std::string nexterm_answer, neuron_answer;
  auto is_nexterm = [&] { return nexterm_.version(&nexterm_answer).has_value(); };
  auto is_neuron = [&] { return !neuron_.domain_info(&neuron_answer).is_null(); };
  if (expected == store::Kind::neuron) {
    if (is_neuron()) return store::Kind::neuron;
    if (is_nexterm()) return store::Kind::nexterm;
  } else {
    if (is_nexterm()) return store::Kind::nexterm;
    if (is_neuron()) return store::Kind::neuron;
  }
  const std::string authority = nexterm_.host().authority;
  throw Error(ExitCode::error,
              authority + " is neither a Nexterm (/api/service/version answered " + nexterm_answer +
                  ") nor a Neuron (/Agent/Account/DomainInfo answered " + neuron_answer + ")",
              Reason::unknown_server_kind, ErrorFacts{authority, {}, std::nullopt});
}

}  // namespace authctl::backends

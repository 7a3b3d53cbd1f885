// Helpers of the test broker's Neuron side that several of its files use (broker.cpp,
// broker_neuron.cpp, broker_web.cpp, broker_controls.cpp); they are defined in broker.cpp.
#pragma once

#include <httplib.h>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

namespace testbroker {
namespace broker_detail {

using json = nlohmann::json;
using httplib::Request;
using httplib::Response;

const char* reason(int status);

// --- JSON schema ---------------------------------------------------------------------------

enum class Type { string, integer, boolean, any };
struct Field {
  const char* name;
  Type type;
  bool required;
};

std::string check_schema(const json& j, std::initializer_list<Field> fields);

}  // namespace broker_detail
}  // namespace testbroker

// SPDX-License-Identifier: Apache-2.0
#include "clients/xmlrpc.h"

#include <charconv>
#include <pugixml.hpp>
#include <sstream>

namespace nettoll {
namespace {

Result<pugi::xml_node> reply_value(pugi::xml_document& document, std::string_view reply) {
  const pugi::xml_parse_result parsed = document.load_buffer(reply.data(), reply.size());
  if (!parsed) return Error{std::string("malformed XML-RPC reply: ") + parsed.description()};
  const pugi::xml_node response = document.child("methodResponse");
  if (!response) return Error{"not an XML-RPC reply (no <methodResponse>)"};
  if (const pugi::xml_node fault = response.child("fault")) {
    const pugi::xpath_node message = fault.select_node(".//member[name='faultString']/value");
    return Error{"XML-RPC fault: " +
                 std::string(message ? message.node().child_value("string") : "(no message)")};
  }
  const pugi::xml_node value = response.child("params").child("param").child("value");
  if (!value) return Error{"XML-RPC reply without a value"};
  return value;
}

}  // namespace

std::string format_xmlrpc_call(std::string_view method, const std::vector<XmlRpcValue>& params) {
  pugi::xml_document document;
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  pugi::xml_node call = document.append_child("methodCall");
  call.append_child("methodName").text().set(std::string(method).c_str());
  pugi::xml_node list = call.append_child("params");
  for (const XmlRpcValue& param : params) {
    pugi::xml_node value = list.append_child("param").append_child("value");
    if (const auto* text = std::get_if<std::string>(&param)) {
      value.append_child("string").text().set(text->c_str());
    } else {
      value.append_child("i8").text().set(std::to_string(std::get<int64_t>(param)).c_str());
    }
  }
  std::ostringstream out;
  document.save(out, "", pugi::format_raw);
  return out.str();
}

Result<int64_t> parse_xmlrpc_integer(std::string_view reply) {
  pugi::xml_document document;
  auto value = reply_value(document, reply);
  if (!value) return Error{value.error()};
  for (const char* type : {"i8", "i4", "int"}) {
    if (const pugi::xml_node number = value->child(type)) {
      const std::string_view text = number.child_value();
      int64_t result = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), result);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Error{"XML-RPC reply: bad <" + std::string(type) + "> '" + std::string(text) + "'"};
      }
      return result;
    }
  }
  const pugi::xml_node first = value->first_child();
  return Error{"XML-RPC reply: expected an integer, got " +
               (first ? "<" + std::string(first.name()) + ">" : std::string("an empty value"))};
}

Result<void> parse_xmlrpc_success(std::string_view reply) {
  pugi::xml_document document;
  auto value = reply_value(document, reply);
  if (!value) return Error{value.error()};
  return success();
}

}  // namespace nettoll

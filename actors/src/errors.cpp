#include "errors.hpp"

#include <caf/atom.hpp>
#include <caf/sec.hpp>

namespace presence::actors {

namespace {

/// The message stored as an error's context: its first std::string element, else empty.
std::string context_message(const caf::message& context) {
  if (context.size() >= 1 && context.match_element<std::string>(0))
    return context.get_as<std::string>(0);
  return {};
}

} // namespace

caf::atom_value error_category() noexcept {
  return caf::atom("presence");
}

caf::error to_caf_error(const presence::error& err) {
  return make_caf_error(err.code, err.message);
}

caf::error make_caf_error(errc code, std::string message) {
  return caf::error{code, std::move(message)};
}

presence::error from_caf_error(const caf::error& err) {
  if (err.category() == error_category())
    return {static_cast<errc>(err.code()), context_message(err.context())};
  if (err.category() == caf::atom("system")) {
    auto code = static_cast<caf::sec>(err.code());
    switch (code) {
      case caf::sec::request_timeout:
        return {errc::timeout, "the engine did not answer in time"};
      case caf::sec::runtime_error:
        // An actor threw (CAF's default exception handler, or a user actor answering the
        // command that threw): it is gone and, for user actors, restarted from the log.
        return {errc::shutting_down, "an actor failed and is restarted: " + caf::to_string(err)};
      case caf::sec::request_receiver_down:
      case caf::sec::cannot_forward_to_invalid_actor:
        return {errc::shutting_down, "the engine's actor is gone: " + caf::to_string(code)};
      default:
        return {errc::invalid_argument, "caf: " + caf::to_string(code)};
    }
  }
  if (err.category() == caf::atom("exit"))
    return {errc::shutting_down, "an actor exited: " + caf::to_string(err)};
  return {errc::invalid_argument, caf::to_string(err)};
}

status to_status(const caf::error& err) {
  if (!err)
    return status::success();
  return from_caf_error(err);
}

std::string render_error(uint8_t code, caf::atom_value, const caf::message& context) {
  std::string out = "presence: ";
  out += to_string(static_cast<errc>(code));
  auto message = context_message(context);
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

} // namespace presence::actors

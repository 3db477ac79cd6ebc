#pragma once

// presence::errc as a CAF error category, and conversions between presence::error / status and
// caf::error. Private to the actors module.

#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include "presence/events/result.hpp"

CAF_ERROR_CODE_ENUM(presence::errc, "presence")

namespace presence::actors {

/// The CAF category atom of `presence::errc` ("presence").
caf::atom_value error_category() noexcept;

/// `err` as a caf::error of the "presence" category; the message travels as the context
/// (a single std::string).
caf::error to_caf_error(const presence::error& err);

/// `code` + `message` as a caf::error of the "presence" category.
caf::error make_caf_error(errc code, std::string message = {});

/// The presence::error carried by `err`. Errors of other categories are mapped: CAF's
/// `request_timeout` -> `timeout`, `runtime_error` (an actor threw), `request_receiver_down` /
/// `cannot_forward_to_invalid_actor` -> `shutting_down`, anything else -> `invalid_argument` with CAF's text.
/// Precondition: `err` is not none.
presence::error from_caf_error(const caf::error& err);

/// Success for a none error, else `from_caf_error(err)`.
status to_status(const caf::error& err);

/// Renders an error of the "presence" category (`code: message`), for
/// `actor_system_config::add_error_category`.
std::string render_error(uint8_t code, caf::atom_value category, const caf::message& context);

} // namespace presence::actors

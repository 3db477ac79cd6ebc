#pragma once

// Hand-written dispatch for an actor that serves messages from its default handler rather than
// from cases of a behavior (user.cpp says why: each case costs every actor memory).

#include <cstddef>
#include <utility>

#include <caf/atom.hpp>
#include <caf/type_erased_tuple.hpp>

namespace presence::actors {

namespace detail {

template <class... Ts, class F, std::size_t... I>
void call_with_elements(const caf::type_erased_tuple& xs, F& fn, std::index_sequence<I...>) {
  fn(xs.get_as<Ts>(I + 1)...);
}

} // namespace detail

/// When `atom` (the first element of `xs`) is `Atom::value` and `xs` is exactly
/// (atom_value, Ts...), calls `fn` with the elements after the atom, by const reference, and
/// returns true. Otherwise returns false and does not call `fn`.
template <class Atom, class... Ts, class F>
bool try_handle(const caf::type_erased_tuple& xs, caf::atom_value atom, F fn) {
  if (atom != Atom::value || !xs.match_elements<caf::atom_value, Ts...>())
    return false;
  detail::call_with_elements<Ts...>(xs, fn, std::index_sequence_for<Ts...>{});
  return true;
}

} // namespace presence::actors

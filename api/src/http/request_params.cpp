#include "http/request_params.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "bounded_json.hpp"

namespace presence::api::http {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// The media type of a Content-Type header: lowercased, parameters and spaces removed.
std::string media_type(std::string_view content_type) {
  auto end = content_type.find(';');
  auto type = content_type.substr(0, end);
  while (!type.empty() && type.back() == ' ')
    type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ')
    type.remove_prefix(1);
  return lower(type);
}

} // namespace

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size())
        return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

status parse_urlencoded(std::string_view text, nlohmann::json& into) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto amp = text.find('&', pos);
    auto pair = text.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    pos = amp == std::string_view::npos ? text.size() + 1 : amp + 1;
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>{std::string{}}
                                              : percent_decode(pair.substr(eq + 1), true);
    if (!key || !value)
      return {errc::invalid_argument, "malformed percent-encoding in '" + std::string(pair) + "'"};
    if (key->empty())
      return {errc::invalid_argument, "a parameter without a name"};
    into[*key] = std::move(*value);
  }
  return {};
}

result<nlohmann::json> collect_params(std::string_view query, std::string_view content_type,
                                      std::string_view body, std::string_view ignored_in_query) {
  auto params = nlohmann::json::object();
  if (auto st = parse_urlencoded(query, params); !st)
    return st.error();
  if (!ignored_in_query.empty())
    params.erase(std::string(ignored_in_query));
  if (body.empty())
    return params;
  auto type = media_type(content_type);
  if (type == "application/json") {
    bool too_deep = false;
    auto parsed = parse_client_json(body, &too_deep);
    if (too_deep)
      return presence::error{errc::invalid_json, "the JSON body nests deeper than " +
                                                   std::to_string(max_json_depth) + " levels"};
    if (parsed.is_discarded())
      return presence::error{errc::invalid_json, "the body is not valid JSON"};
    if (!parsed.is_object())
      return presence::error{errc::invalid_json, "the JSON body must be an object"};
    for (auto& [key, value] : parsed.items())
      params[key] = std::move(value);
    return params;
  }
  if (type.empty() || type == "application/x-www-form-urlencoded") {
    if (auto st = parse_urlencoded(body, params); !st)
      return st.error();
    return params;
  }
  return presence::error{errc::invalid_argument,
                         "unsupported content type '" + std::string(content_type) + "'"};
}

bool valid_param_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64)
    return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_';
  });
}

std::optional<std::string> param_string(const nlohmann::json& params, const char* name) {
  auto it = params.find(name);
  if (it == params.end() || it->is_null() || it->is_object() || it->is_array())
    return std::nullopt;
  if (it->is_string())
    return it->get<std::string>();
  return it->dump();
}

std::optional<int64_t> param_int(const nlohmann::json& params, const char* name, bool* malformed) {
  *malformed = false;
  auto it = params.find(name);
  if (it == params.end() || it->is_null())
    return std::nullopt;
  if (it->is_number_integer())
    return it->get<int64_t>();
  if (it->is_number_unsigned() && it->get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max()))
    return static_cast<int64_t>(it->get<uint64_t>());
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
    bool digits = text.size() > start && text.size() - start <= 18 &&
                  std::all_of(text.begin() + static_cast<std::ptrdiff_t>(start), text.end(),
                              [](unsigned char c) { return std::isdigit(c); });
    if (digits)
      return std::stoll(text);
  }
  *malformed = true;
  return std::nullopt;
}

std::optional<int64_t> param_unix_us(const nlohmann::json& params, const char* name,
                                     bool* malformed) {
  *malformed = false;
  auto it = params.find(name);
  if (it == params.end() || it->is_null())
    return std::nullopt;
  double seconds = -1;
  if (it->is_number()) {
    seconds = it->get<double>();
  } else if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    auto dot = text.find('.');
    auto digits = [](std::string_view part) {
      return std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c); });
    };
    std::string_view whole = std::string_view(text).substr(0, dot);
    std::string_view fraction =
      dot == std::string::npos ? std::string_view{} : std::string_view(text).substr(dot + 1);
    if (!whole.empty() && whole.size() <= 13 && digits(whole) && fraction.size() <= 9 &&
        digits(fraction))
      seconds = std::stod(text);
  }
  if (!(seconds >= 0 && seconds <= double(int64_t{1} << 40))) {
    *malformed = true;
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(seconds * 1e6));
}

std::string param_client_kind(const nlohmann::json& params, bool* malformed) {
  *malformed = false;
  auto kind = param_string(params, "client");
  if (!kind || kind->empty())
    return "rtm";
  if (*kind == "web" || *kind == "desktop" || *kind == "mobile")
    return *kind;
  *malformed = true;
  return "rtm";
}

bool param_bool(const nlohmann::json& params, const char* name, bool fallback, bool* malformed) {
  *malformed = false;
  auto it = params.find(name);
  if (it == params.end() || it->is_null())
    return fallback;
  if (it->is_boolean())
    return it->get<bool>();
  if (it->is_number_integer() && (it->get<int64_t>() == 0 || it->get<int64_t>() == 1))
    return it->get<int64_t>() == 1;
  if (it->is_string()) {
    auto text = lower(it->get_ref<const std::string&>());
    if (text == "true" || text == "1" || text == "yes")
      return true;
    if (text == "false" || text == "0" || text == "no")
      return false;
  }
  *malformed = true;
  return fallback;
}

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace presence::api::http

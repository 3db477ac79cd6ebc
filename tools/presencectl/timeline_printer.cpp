#include "timeline_printer.hpp"

#include <iomanip>
#include <ostream>
#include <sstream>

#include "event_json.hpp"
#include "time_format.hpp"

namespace presence::tools {

namespace {

constexpr int time_width = 28;
constexpr int seq_width = 8;
constexpr int type_width = 18;
constexpr int by_width = 12;
constexpr int via_width = 20;
constexpr int token_width = 18;
constexpr int address_width = 15;

void print_row(std::ostream& out, std::string_view time, std::string_view seq,
               std::string_view type, std::string_view by, std::string_view via,
               std::string_view token, std::string_view address, std::string_view fields) {
  std::ostringstream row;
  row << std::left << std::setw(time_width) << time << ' ' << std::right << std::setw(seq_width)
      << seq << "  " << std::left << std::setw(type_width) << type << ' ' << std::setw(by_width)
      << by << ' ' << std::setw(via_width) << via << ' ' << std::setw(token_width) << token << ' '
      << std::setw(address_width) << address << ' ' << fields;
  std::string text = row.str();
  text.erase(text.find_last_not_of(' ') + 1);  // no padding after the last column
  out << text << '\n';
}

} // namespace

void timeline_printer::print(const events::event& ev) {
  if (json_) {
    out_ << to_json_line(ev) << '\n';
  } else {
    if (count_ == 0)
      print_row(out_, "TIME", "SEQ", "TYPE", "BY", "VIA", "TOKEN", "ADDRESS", "FIELDS");
    const auto or_dash = [](const std::string& text) -> std::string_view {
      return text.empty() ? std::string_view{"-"} : std::string_view{text};
    };
    print_row(out_, format_time(ev.ts), std::to_string(ev.seq),
              events::to_string(events::type_of(ev.body)), or_dash(ev.by), or_dash(ev.via),
              or_dash(ev.token_id), or_dash(ev.address), describe_fields(ev));
  }
  ++count_;
}

void timeline_printer::finish() {
  if (json_)
    return;
  if (count_ == 0)
    out_ << "no events\n";
  else
    out_ << count_ << (count_ == 1 ? " event\n" : " events\n");
}

} // namespace presence::tools

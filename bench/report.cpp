#include "report.h"

#include <cstdio>

namespace {

std::string format(const char* fmt, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, value);
  return buf;
}

std::string rate_cell(const Row& row, const std::optional<Measurement>& m) {
  if (row.skipped) return "-";
  if (!m) return "n/a";
  if (!m->status.is_ok()) return m->status.cell();
  return format("%.1f", m->ops_per_second());
}

std::optional<double> ratio(const Row& row) {
  if (row.skipped || !row.limit || !row.module.status.is_ok() || !row.limit->status.is_ok()) return std::nullopt;
  const double limit = row.limit->ops_per_second();
  if (limit <= 0) return std::nullopt;
  return row.module.ops_per_second() / limit;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string json_rate(const Row& row, const std::optional<Measurement>& m) {
  if (row.skipped || !m || !m->status.is_ok()) return "null";
  return format("%.1f", m->ops_per_second());
}

std::string json_error(const std::optional<Measurement>& m) {
  if (!m || m->status.is_ok()) return "null";
  return json_string(m->status.describe());
}

void print_notes(std::ostream& out, const Report& report) {
  for (const Row& row : report.rows) {
    const std::string where =
        row.id + " (" + std::to_string(row.threads) + " thread" + (row.threads == 1 ? "" : "s") + ")";
    if (!row.note.empty()) out << "  * " << where << ": " << row.note << "\n";
    if (!row.skipped && !row.module.status.is_ok())
      out << "  ! " << where << " module: " << row.module.status.describe() << "\n";
    if (!row.skipped && row.limit && !row.limit->status.is_ok())
      out << "  ! " << where << " openssl: " << row.limit->status.describe() << "\n";
  }
}

}  // namespace

void print_table(std::ostream& out, const Report& report) {
  out << "module " << report.module_path << ", slot " << report.slot << ", token \"" << report.token_label << "\", "
      << report.seconds << " s per measurement\n";
  char line[160];
  std::snprintf(line, sizeof line, "%-36s %7s %14s %15s %7s\n", "operation", "threads", "module ops/s", "openssl ops/s",
                "ratio");
  out << line;
  for (const Row& row : report.rows) {
    const auto r = ratio(row);
    std::snprintf(line, sizeof line, "%-36s %7u %14s %15s %7s\n", row.title.c_str(), row.threads,
                  rate_cell(row, row.module).c_str(), rate_cell(row, row.limit).c_str(),
                  r ? format("%.3f", *r).c_str() : "n/a");
    out << line;
  }
  print_notes(out, report);
}

void print_json(std::ostream& out, const Report& report) {
  out << "{\"module\": " << json_string(report.module_path) << ", \"slot\": " << report.slot
      << ", \"token\": " << json_string(report.token_label) << ", \"seconds\": " << report.seconds
      << ", \"results\": [\n";
  for (size_t i = 0; i < report.rows.size(); ++i) {
    const Row& row = report.rows[i];
    const auto r = ratio(row);
    out << "  {\"op\": " << json_string(row.id) << ", \"title\": " << json_string(row.title)
        << ", \"threads\": " << row.threads << ", \"module_ops_per_s\": " << json_rate(row, row.module)
        << ", \"openssl_ops_per_s\": " << json_rate(row, row.limit)
        << ", \"ratio\": " << (r ? format("%.4f", *r) : "null")
        << ", \"module_error\": " << (row.skipped ? "null" : json_error(row.module))
        << ", \"openssl_error\": " << (row.skipped ? "null" : json_error(row.limit))
        << ", \"note\": " << (row.note.empty() ? "null" : json_string(row.note)) << "}"
        << (i + 1 < report.rows.size() ? ",\n" : "\n");
  }
  out << "]}\n";
}

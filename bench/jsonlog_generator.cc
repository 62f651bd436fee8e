// JsonLogGenerator: writes a deterministic, realistic PostgreSQL 15 jsonlog server log of a
// multi-tenant application (see jsonlog_generator.h for what it models).
//
// The output mirrors PostgreSQL 15's write_jsonlog() (src/backend/utils/error/jsonlog.c) and the
// verbatim lines of shared/PG_SEMANTICS.md section C: key order timestamp, user, dbname, pid,
// remote_host, remote_port, session_id, line_num, ps, session_start, vxid, txid, error_severity,
// state_code, message, detail, hint, context, statement, cursor_position, application_name,
// backend_type, query_id; absent values are omitted (LOG lines have no state_code). The server
// is assumed to run with log_statement=all, log_connections=on, log_disconnections=on,
// log_min_duration_statement=1000 and lc_messages=C. Strings are escaped by the report library's
// AppendJsonString, which for the valid UTF-8 text written here (no DEL, no U+2028/U+2029)
// escapes exactly as PostgreSQL's escape_json() does.

#include "jsonlog_generator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_writer.h"

namespace rls_shadow::bench {
namespace {

// ---------------------------------------------------------------------------------------------
// Deterministic PRNG: xoshiro256** seeded with splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, n); n must be > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  // Index in [0, n) with a heavy head: a few hot statement shapes, a long tail.
  size_t Skewed(size_t n) {
    const double u = Unit();
    return static_cast<size_t>(u * u * u * static_cast<double>(n));
  }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& a) {
    return a[Below(N)];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

// ---------------------------------------------------------------------------------------------
// Text helpers.

void AppendU64(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendHex(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  out.append(buf, r.ptr);
}

void AppendPadded(std::string& out, uint64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int i = static_cast<int>(r.ptr - buf); i < width; ++i) out.push_back('0');
  out.append(buf, r.ptr);
}

// Appends `s` as an SQL string literal body with embedded quotes doubled (no surrounding quotes).
void AppendSqlEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
}

void AppendUuid(std::string& out, uint64_t hi, uint64_t lo) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[36];
  int pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) buf[pos++] = '-';
    const uint64_t word = i < 16 ? hi : lo;
    buf[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 15];
  }
  out.append(buf, sizeof buf);
}

// Percent-encodes a sqlcommenter value (RFC 3986 unreserved characters stay).
std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Number of UTF-8 characters in `s` (PostgreSQL's cursor_position counts characters).
uint64_t CharCount(std::string_view s) {
  uint64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Concatenates string pieces (shape templates are built once, at start-up).
template <typename... Parts>
std::string Concat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

// "2026-11-22 12:08:08" (UTC) for `sec` seconds since the Unix epoch.
std::string FormatSeconds(int64_t sec) {
  const auto t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// The log clock: milliseconds since the epoch, advancing a little with every line.
class LogClock {
 public:
  explicit LogClock(int64_t start_ms) : now_ms_(start_ms) {}
  void Advance(int64_t ms) { now_ms_ += ms; }
  [[nodiscard]] int64_t now_ms() const { return now_ms_; }

  // Appends "2026-11-22 12:08:08.403 UTC".
  void AppendTimestamp(std::string& out) {
    const int64_t sec = now_ms_ / 1000;
    if (sec != cached_sec_) {
      cached_sec_ = sec;
      cached_ = FormatSeconds(sec);
    }
    out += cached_;
    out.push_back('.');
    AppendPadded(out, static_cast<uint64_t>(now_ms_ % 1000), 3);
    out += " UTC";
  }

 private:
  int64_t now_ms_;
  int64_t cached_sec_ = -1;
  std::string cached_;
};

// ---------------------------------------------------------------------------------------------
// Statement shapes.
//
// A shape is written as a template in which "?X" marks a parameter of type X. The generator
// renders it either with "$n" placeholders and a "parameters:" detail (extended protocol) or with
// SQL literals (simple protocol). Parameter types (lower case: the value may be NULL):
//   T tenant uuid of the unit of work   U random uuid     I bigint id       N small int
//   M amount in cents                   S status          X free text       D timestamptz
//   J jsonb                             A bigint[]        B boolean         K reference key
//   E email                             Q queue name      W worker id       V invoice number
//   C carrier                           R member role     G text[] tags     L ILIKE pattern
//   Z audit action

enum Category : uint8_t { kRead, kWrite, kQueue, kReport, kCategoryCount };

enum TableId : uint8_t {
  kOrders,
  kOrderItems,
  kInvoices,
  kJobs,
  kCatalogItems,
  kOrgMembers,
  kShipments,
  kAuditLog,
  kUsers,
  kTableCount,
  kNoTable = kTableCount,
};

constexpr std::array<const char*, kTableCount> kTableNames = {
    "orders",      "order_items", "invoices",  "jobs", "catalog_items",
    "org_members", "shipments",   "audit_log", "users"};

struct Shape {
  std::vector<std::string> text;  // literal pieces around the parameters: params.size() + 1
  std::string params;             // one type letter per parameter
  std::string_view tag;           // command tag ("ps" while executing)
  Category category;
  TableId table;              // main table (for a session's focus and for error texts)
  bool writes;                // takes a transaction id when executed (writes, row locks)
  bool plain_insert;          // INSERT without ON CONFLICT: may fail with 23505
  int first_uuid_param = -1;  // index of the first T/U parameter, -1 when none
};

struct TableDef {
  TableId id;
  std::array<const char*, 3> select_lists;
  std::array<const char*, 5> predicates;
  std::array<const char*, 3> update_sets;
  const char* insert_columns;
  const char* insert_values;
  const char* conflict_target;
  const char* conflict_update;
};

const std::array<TableDef, 7> kTables = {{
    {kOrders,
     {"id, status, total_cents, created_at", "*",
      "id, customer_id, external_ref, currency, total_cents, note"},
     {"id = ?I", "status = ?S", "created_at >= ?D AND created_at < ?D", "id = ANY(?A)",
      "customer_id = ?I AND status <> ?S"},
     {"status = ?S, updated_at = now()", "total_cents = total_cents + ?M, updated_at = now()",
      "note = ?x"},
     "(tenant_id, customer_id, external_ref, status, total_cents, currency, note, created_at)",
     "(?T, ?I, ?K, ?S, ?M, 'EUR', ?x, ?D)",
     "(tenant_id, external_ref)",
     "status = EXCLUDED.status, total_cents = EXCLUDED.total_cents, updated_at = now()"},
    {kOrderItems,
     {"id, order_id, catalog_item_id, quantity", "*", "id, quantity, unit_price_cents"},
     {"order_id = ?I", "id = ?I", "catalog_item_id = ?I AND quantity > ?N", "order_id = ANY(?A)",
      "created_at >= ?D"},
     {"quantity = ?N", "unit_price_cents = ?M", "quantity = quantity + ?N"},
     "(tenant_id, order_id, catalog_item_id, quantity, unit_price_cents)",
     "(?T, ?I, ?I, ?N, ?M)",
     "(order_id, catalog_item_id)",
     "quantity = order_items.quantity + EXCLUDED.quantity"},
    {kInvoices,
     {"id, number, status, amount_cents, due_at", "*", "id, order_id, paid_at, metadata"},
     {"id = ?I", "number = ?V", "status = ?S AND due_at < ?D", "order_id = ?I",
      "paid_at IS NULL AND amount_cents > ?M"},
     {"status = 'paid', paid_at = now()", "status = ?S", "metadata = metadata || ?J"},
     "(tenant_id, order_id, number, status, amount_cents, due_at, metadata)",
     "(?T, ?I, ?V, ?S, ?M, ?D, ?j)",
     "(tenant_id, number)",
     "amount_cents = EXCLUDED.amount_cents, metadata = EXCLUDED.metadata"},
    {kJobs,
     {"id, queue, state, run_at", "*", "id, payload, attempts, last_error"},
     {"id = ?I", "state = ?S AND queue = ?Q", "run_at <= ?D AND state = 'queued'", "locked_by = ?W",
      "id = ANY(?A)"},
     {"state = ?S, locked_by = NULL, locked_at = NULL",
      "attempts = attempts + 1, last_error = ?x, run_at = ?D", "payload = ?J"},
     "(tenant_id, queue, state, payload, run_at, dedup_key)",
     "(?T, ?Q, 'queued', ?J, ?D, ?K)",
     "(dedup_key)",
     "run_at = LEAST(jobs.run_at, EXCLUDED.run_at)"},
    {kCatalogItems,
     {"id, sku, title, price_cents", "*", "id, sku, active, tags"},
     {"id = ?I", "sku = ?K", "active AND price_cents BETWEEN ?M AND ?M", "tags && ?G",
      "title ILIKE ?L"},
     {"price_cents = ?M, updated_at = now()", "active = ?B, updated_at = now()",
      "title = ?X, tags = ?G"},
     "(tenant_id, sku, title, price_cents, tags, active)",
     "(?T, ?K, ?X, ?M, ?G, ?B)",
     "(tenant_id, sku)",
     "title = EXCLUDED.title, price_cents = EXCLUDED.price_cents, updated_at = now()"},
    {kOrgMembers,
     {"id, user_id, role", "*", "user_id, email, accepted_at"},
     {"user_id = ?I", "id = ?I", "role = ?R", "email = ?E",
      "accepted_at IS NULL AND invited_at < ?D"},
     {"role = ?R", "accepted_at = now()", "email = ?E"},
     "(tenant_id, user_id, role, email, invited_at)",
     "(?T, ?I, ?R, ?E, now())",
     "(tenant_id, user_id)",
     "role = EXCLUDED.role"},
    {kShipments,
     {"id, order_id, carrier, status", "*", "id, tracking_number, label_url, shipped_at"},
     {"id = ?I", "order_id = ?I", "status = ?S AND carrier = ?C", "tracking_number = ?K",
      "shipped_at >= ?D"},
     {"status = 'shipped', shipped_at = now()", "label_url = ?X", "status = ?S"},
     "(tenant_id, order_id, carrier, tracking_number, label_url, status)",
     "(?T, ?I, ?C, ?K, ?x, 'pending')",
     "(tenant_id, tracking_number)",
     "status = EXCLUDED.status, label_url = EXCLUDED.label_url"},
}};

// Unique constraint a plain INSERT into the table can violate (23505), and its columns.
constexpr std::array<std::array<const char*, 2>, kTableCount> kUniqueKeys = {{
    {"orders_tenant_id_external_ref_key", "tenant_id, external_ref"},
    {"order_items_order_id_catalog_item_id_key", "order_id, catalog_item_id"},
    {"invoices_tenant_id_number_key", "tenant_id, number"},
    {"jobs_dedup_key_key", "dedup_key"},
    {"catalog_items_tenant_id_sku_key", "tenant_id, sku"},
    {"org_members_tenant_id_user_id_key", "tenant_id, user_id"},
    {"shipments_tenant_id_tracking_number_key", "tenant_id, tracking_number"},
    {"audit_log_pkey", "id"},
    {"users_email_key", "email"},
}};

// How a statement restricts itself to the tenant: a bound/literal uuid, the context GUC that
// the restrictive policy also reads, or not at all (the application relies on RLS).
std::string TenantFilter(int form, std::string_view alias) {
  std::string col = alias.empty() ? std::string("tenant_id") : std::string(alias) + ".tenant_id";
  switch (form) {
    case 0:
      return col + " = ?T AND ";
    case 1:
      return col + " = current_setting('app.current_tenant_id', true)::uuid AND ";
    default:
      return "";
  }
}

// Replaces every "{tf}" in `tmpl` with `filter`, "{lim}" with `limit`, "{lock}" with `lock`.
std::string Expand(std::string_view tmpl, std::string_view filter, std::string_view limit = "",
                   std::string_view lock = "") {
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl.substr(i, 4) == "{tf}") {
      out += filter;
      i += 4;
    } else if (tmpl.substr(i, 5) == "{lim}") {
      out += limit;
      i += 5;
    } else if (tmpl.substr(i, 6) == "{lock}") {
      out += lock;
      i += 6;
    } else {
      out.push_back(tmpl[i++]);
    }
  }
  return out;
}

// All statement shapes, grouped for picking by category and table. Immutable once built.
class ShapeCatalog {
 public:
  explicit ShapeCatalog(uint64_t seed) {
    BuildTableShapes();
    BuildExtraShapes();
    // Which shapes are hot depends on the seed, not on the order they were written in.
    Rng rng(seed ^ 0x5eed5eedULL);
    for (size_t c = 0; c < kCategoryCount; ++c) {
      Shuffle(rng, &by_category_[c]);
      for (auto& v : by_category_table_[c]) Shuffle(rng, &v);
    }
  }

  [[nodiscard]] size_t size() const { return shapes_.size(); }
  [[nodiscard]] const Shape& at(size_t i) const { return shapes_[i]; }

  // A shape of `category`, from `focus` table most of the time when given; hot shapes first.
  uint16_t Pick(Rng& rng, Category category, TableId focus) const {
    const std::vector<uint16_t>* v = &by_category_[category];
    if (focus != kNoTable && !by_category_table_[category][focus].empty() && rng.Chance(0.6)) {
      v = &by_category_table_[category][focus];
    }
    if (v->empty()) v = &by_category_[kRead];
    return (*v)[rng.Skewed(v->size())];
  }

 private:
  static void Shuffle(Rng& rng, std::vector<uint16_t>* v) {
    for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[rng.Below(i)]);
  }

  void Add(std::string_view tmpl, std::string_view tag, Category category, TableId table,
           bool writes) {
    Shape shape;
    shape.tag = tag;
    shape.category = category;
    shape.table = table;
    shape.writes = writes;
    shape.plain_insert = tag == "INSERT" && tmpl.find("ON CONFLICT") == std::string_view::npos &&
                         tmpl.substr(0, 4) != "WITH";
    std::string piece;
    for (size_t i = 0; i < tmpl.size(); ++i) {
      if (tmpl[i] == '?' && i + 1 < tmpl.size()) {
        const char type = tmpl[++i];
        if ((type == 'T' || type == 'U') && shape.first_uuid_param < 0) {
          shape.first_uuid_param = static_cast<int>(shape.params.size());
        }
        shape.params.push_back(type);
        shape.text.push_back(std::move(piece));
        piece.clear();
      } else {
        piece.push_back(tmpl[i]);
      }
    }
    shape.text.push_back(std::move(piece));
    const auto index = static_cast<uint16_t>(shapes_.size());
    by_category_[category].push_back(index);
    if (table != kNoTable) by_category_table_[category][table].push_back(index);
    shapes_.push_back(std::move(shape));
  }

  void BuildTableShapes() {
    for (const TableDef& t : kTables) {
      const std::string name = Concat("public.", kTableNames[t.id]);
      for (int form = 0; form < 3; ++form) {
        const std::string tf = TenantFilter(form, "");
        for (const char* pred : t.predicates) {
          const std::string where = Concat(" WHERE ", tf, pred);
          for (const char* list : t.select_lists) {
            Add(Concat("SELECT ", list, " FROM ", name, where), "SELECT", kRead, t.id, false);
            Add(Concat("SELECT ", list, " FROM ", name, where,
                       " ORDER BY created_at DESC LIMIT ?N"),
                "SELECT", kRead, t.id, false);
          }
          Add(Concat("SELECT count(*) FROM ", name, where), "SELECT", kReport, t.id, false);
          for (const char* set : t.update_sets) {
            Add(Concat("UPDATE ", name, " SET ", set, where), "UPDATE", kWrite, t.id, true);
          }
          Add(Concat("DELETE FROM ", name, where), "DELETE", kWrite, t.id, true);
        }
        // Row locks, RETURNING: on the primary-key predicate only, as applications do.
        const std::string by_id = Concat(" WHERE ", tf, "id = ?I");
        Add(Concat("SELECT * FROM ", name, by_id, " LIMIT 1 FOR UPDATE"), "SELECT", kWrite, t.id,
            true);
        for (const char* set : t.update_sets) {
          Add(Concat("UPDATE ", name, " SET ", set, by_id, " RETURNING id, ",
                     t.id == kShipments ? "status" : "created_at"),
              "UPDATE", kWrite, t.id, true);
        }
        Add(Concat("DELETE FROM ", name, by_id, " RETURNING id"), "DELETE", kWrite, t.id, true);
      }
      const std::string insert =
          Concat("INSERT INTO ", name, " ", t.insert_columns, " VALUES ", t.insert_values);
      const std::string conflict = Concat(" ON CONFLICT ", t.conflict_target);
      Add(insert, "INSERT", kWrite, t.id, true);
      Add(Concat(insert, " RETURNING id"), "INSERT", kWrite, t.id, true);
      Add(Concat(insert, conflict, " DO NOTHING"), "INSERT", kWrite, t.id, true);
      Add(Concat(insert, conflict, " DO UPDATE SET ", t.conflict_update), "INSERT", kWrite, t.id,
          true);
      Add(Concat(insert, conflict, " DO UPDATE SET ", t.conflict_update, " RETURNING id"), "INSERT",
          kWrite, t.id, true);
      Add(Concat(insert, ", ", t.insert_values, " RETURNING id"), "INSERT", kWrite, t.id, true);
    }
  }

  void BuildExtraShapes() {
    struct Extra {
      const char* tmpl;
      const char* alias;
      const char* tag;
      Category category;
      TableId table;
      bool writes;
    };
    static const Extra kJoinsAndCtes[] = {
        {"SELECT o.id, o.status, sum(i.quantity * i.unit_price_cents) AS total_cents FROM "
         "public.orders o JOIN public.order_items i ON i.order_id = o.id WHERE {tf}o.created_at "
         ">= ?D GROUP BY o.id, o.status ORDER BY total_cents DESC LIMIT ?N",
         "o", "SELECT", kReport, kOrders, false},
        {"SELECT inv.number, inv.amount_cents, o.customer_id FROM public.invoices inv JOIN "
         "public.orders o ON o.id = inv.order_id WHERE {tf}inv.status = ?S",
         "inv", "SELECT", kReport, kInvoices, false},
        {"SELECT m.user_id, m.role, u.email, u.name FROM public.org_members m JOIN public.users u "
         "ON u.id = m.user_id WHERE {tf}m.accepted_at IS NOT NULL ORDER BY u.name LIMIT ?N",
         "m", "SELECT", kRead, kOrgMembers, false},
        {"SELECT s.tracking_number, s.status, o.id AS order_id, inv.number FROM public.shipments "
         "s JOIN public.orders o ON o.id = s.order_id LEFT JOIN public.invoices inv ON "
         "inv.order_id = o.id WHERE {tf}s.status = ?S ORDER BY s.id DESC LIMIT ?N",
         "s", "SELECT", kRead, kShipments, false},
        {"SELECT c.sku, c.title, coalesce(sum(i.quantity), 0) AS sold FROM public.catalog_items "
         "c LEFT JOIN public.order_items i ON i.catalog_item_id = c.id WHERE {tf}c.active GROUP "
         "BY c.sku, c.title ORDER BY sold DESC LIMIT ?N",
         "c", "SELECT", kReport, kCatalogItems, false},
        {"SELECT o.* FROM public.orders o WHERE {tf}EXISTS (SELECT 1 FROM public.shipments s "
         "WHERE s.order_id = o.id AND s.status = ?S)",
         "o", "SELECT", kRead, kOrders, false},
        {"SELECT j.queue, j.state, count(*) FROM public.jobs j WHERE {tf}j.run_at >= ?D GROUP BY "
         "j.queue, j.state",
         "j", "SELECT", kReport, kJobs, false},
        {"SELECT o.id FROM public.orders o WHERE {tf}o.id IN (SELECT order_id FROM "
         "public.invoices WHERE paid_at IS NULL AND due_at < ?D)",
         "o", "SELECT", kReport, kOrders, false},
        {"SELECT a.action, a.details, a.created_at FROM public.audit_log a WHERE "
         "{tf}a.created_at >= ?D ORDER BY a.created_at DESC LIMIT ?N",
         "a", "SELECT", kReport, kAuditLog, false},
        {"WITH recent AS (\n  SELECT id FROM public.orders\n  WHERE {tf}created_at >= ?D\n  "
         "ORDER BY created_at DESC\n  LIMIT ?N\n)\nSELECT i.order_id, i.catalog_item_id, "
         "i.quantity\nFROM public.order_items i\nJOIN recent r ON r.id = i.order_id",
         "", "SELECT", kReport, kOrderItems, false},
        {"WITH overdue AS (\n  UPDATE public.invoices SET status = 'overdue'\n  WHERE "
         "{tf}status = 'open' AND due_at < ?D\n  RETURNING id, order_id\n)\nSELECT count(*) "
         "FROM overdue",
         "", "SELECT", kWrite, kInvoices, true},
        {"WITH totals AS (SELECT order_id, sum(quantity * unit_price_cents) AS cents FROM "
         "public.order_items WHERE {tf}order_id = ANY(?A) GROUP BY order_id) UPDATE "
         "public.orders o SET total_cents = t.cents, updated_at = now() FROM totals t WHERE o.id "
         "= t.order_id RETURNING o.id, o.total_cents",
         "", "UPDATE", kWrite, kOrders, true},
        {"WITH archived AS (\n  DELETE FROM public.jobs\n  WHERE {tf}state = 'done' AND run_at "
         "< ?D\n  RETURNING tenant_id, id, payload\n)\nINSERT INTO public.audit_log (tenant_id, "
         "actor_id, action, details)\nSELECT tenant_id, NULL, 'job.archived', payload FROM "
         "archived",
         "", "INSERT", kQueue, kJobs, true},
        {"WITH member AS (SELECT tenant_id, role FROM public.org_members WHERE {tf}user_id = ?I) "
         "SELECT o.id, o.status FROM public.orders o JOIN member m ON m.tenant_id = o.tenant_id "
         "WHERE o.status = ?S LIMIT ?N",
         "", "SELECT", kRead, kOrgMembers, false},
    };
    for (const Extra& e : kJoinsAndCtes) {
      for (int form = 0; form < 3; ++form) {
        Add(Expand(e.tmpl, TenantFilter(form, e.alias)), e.tag, e.category, e.table, e.writes);
      }
    }

    // The job queue: claim with SKIP LOCKED, in the CTE form and the two-step form.
    static const char* const kClaim =
        "WITH next_job AS (\n  SELECT id FROM public.jobs\n  WHERE {tf}queue = ?Q AND state = "
        "'queued' AND run_at <= now()\n  ORDER BY run_at, id\n  LIMIT {lim}\n  {lock}\n)\nUPDATE "
        "public.jobs j SET state = 'running', locked_by = ?W, locked_at = now(), attempts = "
        "j.attempts + 1\nFROM next_job WHERE j.id = next_job.id\nRETURNING j.id, j.tenant_id, "
        "j.payload";
    static const char* const kPeek =
        "SELECT id, tenant_id, payload FROM public.jobs WHERE {tf}queue = ?Q AND state = "
        "'queued' ORDER BY run_at LIMIT {lim} {lock}";
    for (const char* lock : {"FOR UPDATE SKIP LOCKED", "FOR NO KEY UPDATE SKIP LOCKED"}) {
      for (const char* limit : {"1", "?N"}) {
        for (int form = 0; form < 3; ++form) {
          const std::string tf = TenantFilter(form, "");
          Add(Expand(kClaim, tf, limit, lock), "UPDATE", kQueue, kJobs, true);
          Add(Expand(kPeek, tf, limit, lock), "SELECT", kQueue, kJobs, true);
        }
      }
    }
    Add("UPDATE public.jobs SET state = 'done', locked_by = NULL, locked_at = NULL WHERE id = ?I",
        "UPDATE", kQueue, kJobs, true);
    Add("UPDATE public.jobs SET state = 'failed', last_error = ?X, run_at = now() + interval '30 "
        "seconds' * attempts WHERE id = ?I AND locked_by = ?W",
        "UPDATE", kQueue, kJobs, true);
    Add("INSERT INTO public.jobs (tenant_id, queue, state, payload, run_at, dedup_key) VALUES "
        "(?T, ?Q, 'queued', ?J, ?D, ?k) RETURNING id",
        "INSERT", kQueue, kJobs, true);
    Add("DELETE FROM public.jobs WHERE state = 'done' AND run_at < ?D", "DELETE", kQueue, kJobs,
        true);
    Add("UPDATE public.jobs SET state = 'queued', locked_by = NULL WHERE state = 'running' AND "
        "locked_at < now() - interval '15 minutes'",
        "UPDATE", kQueue, kJobs, true);
    Add("SELECT pg_try_advisory_lock(hashtext(?Q))", "SELECT", kQueue, kNoTable, false);

    // The audit log (insert-only for the application) and the global users table (no RLS).
    Add("INSERT INTO public.audit_log (tenant_id, actor_id, action, details) VALUES (?T, ?i, ?Z, "
        "?J)",
        "INSERT", kWrite, kAuditLog, true);
    Add("DELETE FROM public.audit_log WHERE created_at < ?D", "DELETE", kWrite, kAuditLog, true);
    Add("SELECT id, email, name FROM public.users WHERE id = ?I", "SELECT", kRead, kUsers, false);
    Add("SELECT id, email, name FROM public.users WHERE email = ?E", "SELECT", kRead, kUsers,
        false);
    Add("SELECT id, email FROM public.users WHERE id = ANY(?A)", "SELECT", kRead, kUsers, false);
    Add("UPDATE public.users SET last_seen_at = now() WHERE id = ?I", "UPDATE", kWrite, kUsers,
        true);
  }

  std::vector<Shape> shapes_;
  std::vector<uint16_t> by_category_[kCategoryCount];
  std::vector<uint16_t> by_category_table_[kCategoryCount][kTableCount];
};

// ---------------------------------------------------------------------------------------------
// Workloads: the kinds of clients connected to the database.

// How a unit of work sets the tenant context.
enum class ContextStyle : uint8_t {
  kNone,                      // never sets it (cross-tenant jobs, forgotten paths)
  kSessionSet,                // SET app.current_tenant_id = '...' before the unit
  kSetLocal,                  // BEGIN; SET LOCAL ...; ...; COMMIT
  kSetConfigLocal,            // BEGIN; SELECT set_config('app.current_tenant_id', $1, true); ...
  kSetConfigSession,          // SELECT set_config(..., false) before the unit
  kSetConfigLocalAutocommit,  // set_config(..., true) outside a transaction: lost at once
  kSetLocalAutocommit,        // SET LOCAL outside a transaction: WARNING 25P01, then ''
  kStale,                     // set once per session, later units run with the old tenant
  kMultiStatement,            // one simple query "SET LOCAL ...; SELECT ..." (implicit block)
  kEmpty,                     // SET app.current_tenant_id = '' (a bug: '' fails the ::uuid cast)
};

enum class CommentStyle : uint8_t {
  kNone,
  kRailsSqlcommenter,
  kJobSqlcommenter,
  kMarginalia,
  kNodeSqlcommenter
};

struct Profile {
  const char* app_prefix;  // application_name; a number is appended when app_count > 1
  int app_count;
  const char* user;
  const char* network;  // "10.0.1." (a host number is appended) or "[local]"
  double weight;        // share of sessions
  double extended;      // share of statements sent with the extended protocol
  double named;         // share of extended statements using a named prepared statement
  double txn;           // share of units run as explicit transactions
  double savepoint;     // share of transactions with a savepoint
  double rollback;      // share of transactions ending in ROLLBACK
  std::array<std::pair<ContextStyle, double>, 3> contexts;  // weights, summing to 1
  std::array<double, kCategoryCount> categories;            // weights, summing to 1
  TableId focus;
  CommentStyle comments;
  const char* lane;                       // sqlcommenter lane / job
  std::array<const char*, 4> code_paths;  // for kJobSqlcommenter
  double error_rate;                      // per statement
  double pool_reset;  // DISCARD ALL / RESET ALL between units (a pooler's reset query)
  bool semicolon;     // psql -f keeps the trailing ';'
  std::array<const char*, 3> on_connect;  // utility statements run once after connecting
};

const std::array<Profile, 9> kProfiles = {{
    {"web-puma-w",
     16,
     "app_role",
     "10.0.1.",
     0.30,
     0.9,
     0.2,
     0.3,
     0.1,
     0.03,
     {{{ContextStyle::kSessionSet, 0.85},
       {ContextStyle::kSetConfigLocal, 0.12},
       {ContextStyle::kNone, 0.03}}},
     {0.6, 0.3, 0.0, 0.1},
     kOrders,
     CommentStyle::kRailsSqlcommenter,
     "web",
     {},
     0.004,
     0.0,
     false,
     {"SET client_min_messages TO 'warning'", "SET standard_conforming_strings = on",
      "SET SESSION timezone TO 'UTC'"}},
    {"sidekiq-default-",
     8,
     "app_role",
     "10.0.2.",
     0.18,
     0.95,
     0.0,
     0.6,
     0.15,
     0.05,
     {{{ContextStyle::kSetConfigLocal, 0.75},
       {ContextStyle::kStale, 0.15},
       {ContextStyle::kNone, 0.10}}},
     {0.4, 0.4, 0.1, 0.1},
     kInvoices,
     CommentStyle::kJobSqlcommenter,
     "default",
     {"app/jobs/invoice_reminder_job.rb", "app/jobs/order_sync_job.rb",
      "app/jobs/member_invite_job.rb", "app/jobs/catalog_import_job.rb"},
     0.006,
     0.0,
     false,
     {"SET client_min_messages TO 'warning'", nullptr, nullptr}},
    {"sidekiq-ship_upload-",
     4,
     "app_role",
     "10.0.2.",
     0.10,
     0.95,
     0.0,
     0.3,
     0.0,
     0.02,
     {{{ContextStyle::kSetConfigLocalAutocommit, 0.4},
       {ContextStyle::kSetLocalAutocommit, 0.3},
       {ContextStyle::kSetConfigLocal, 0.3}}},
     {0.4, 0.6, 0.0, 0.0},
     kShipments,
     CommentStyle::kJobSqlcommenter,
     "ship_upload",
     {"app/jobs/ship_upload_job.rb", "app/jobs/label_fetch_job.rb", nullptr, nullptr},
     0.006,
     0.0,
     false,
     {}},
    {"queue-runner",
     1,
     "app_role",
     "10.0.3.",
     0.10,
     1.0,
     0.5,
     0.8,
     0.0,
     0.02,
     {{{ContextStyle::kNone, 0.7},
       {ContextStyle::kSetConfigLocal, 0.3},
       {ContextStyle::kNone, 0.0}}},
     {0.1, 0.2, 0.7, 0.0},
     kJobs,
     CommentStyle::kNone,
     "",
     {},
     0.003,
     0.0,
     false,
     {}},
    {"cron-nightly-billing",
     1,
     "owner_role",
     "10.0.4.",
     0.04,
     0.0,
     0.0,
     0.5,
     0.0,
     0.05,
     {{{ContextStyle::kSessionSet, 0.4},
       {ContextStyle::kMultiStatement, 0.3},
       {ContextStyle::kNone, 0.3}}},
     {0.2, 0.3, 0.0, 0.5},
     kInvoices,
     CommentStyle::kJobSqlcommenter,
     "nightly_billing",
     {"lib/tasks/nightly_billing.rake", nullptr, nullptr, nullptr},
     0.004,
     0.0,
     false,
     {"SET statement_timeout = '15min'", nullptr, nullptr}},
    {"psql",
     1,
     "postgres",
     "[local]",
     0.02,
     0.0,
     0.0,
     0.4,
     0.2,
     0.2,
     {{{ContextStyle::kSessionSet, 0.5},
       {ContextStyle::kSetLocal, 0.2},
       {ContextStyle::kNone, 0.3}}},
     {0.5, 0.3, 0.0, 0.2},
     kNoTable,
     CommentStyle::kNone,
     "",
     {},
     0.03,
     0.0,
     true,
     {"SET ROLE app_role", nullptr, nullptr}},
    {"Metabase v0.48.1",
     1,
     "bypass_role",
     "10.0.5.",
     0.05,
     0.5,
     0.0,
     0.0,
     0.0,
     0.0,
     {{{ContextStyle::kNone, 1.0}, {ContextStyle::kNone, 0.0}, {ContextStyle::kNone, 0.0}}},
     {0.2, 0.0, 0.0, 0.8},
     kNoTable,
     CommentStyle::kNone,
     "",
     {},
     0.002,
     0.0,
     false,
     {"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", nullptr, nullptr}},
    {"api-node-",
     6,
     "app_role",
     "10.0.6.",
     0.19,
     1.0,
     0.0,
     0.4,
     0.05,
     0.04,
     {{{ContextStyle::kSetConfigSession, 0.5},
       {ContextStyle::kSetConfigLocal, 0.3},
       {ContextStyle::kStale, 0.2}}},
     {0.5, 0.4, 0.0, 0.1},
     kCatalogItems,
     CommentStyle::kNodeSqlcommenter,
     "api",
     {},
     0.005,
     0.2,
     false,
     {}},
    {"",
     1,
     "app_role",
     "10.0.7.",
     0.02,
     0.3,
     0.0,
     0.2,
     0.0,
     0.1,
     {{{ContextStyle::kEmpty, 0.2}, {ContextStyle::kSessionSet, 0.4}, {ContextStyle::kNone, 0.4}}},
     {0.5, 0.4, 0.0, 0.1},
     kOrgMembers,
     CommentStyle::kMarginalia,
     "",
     {},
     0.01,
     0.0,
     false,
     {}},
}};

// ---------------------------------------------------------------------------------------------
// Parameter values.

constexpr std::array<const char*, 10> kStatuses = {"pending", "paid",    "shipped", "cancelled",
                                                   "open",    "overdue", "queued",  "running",
                                                   "done",    "failed"};
constexpr std::array<const char*, 12> kTexts = {"plain note",
                                                "O'Brien & Sons",
                                                "Café Zoë, 3e étage",
                                                "東京 warehouse",
                                                "line one\nline two",
                                                "tab\tseparated",
                                                "back\\slash C:\\tmp",
                                                "she said \"ship it\"",
                                                "50% off -- today",
                                                "emoji 🚚 ok",
                                                "https://labels.example.com/l/8f3a?x=1&y=2",
                                                "a 'quoted' word"};
constexpr std::array<const char*, 8> kJsons = {
    R"({"sku": "SKU-000123", "qty": 2})",
    R"({"note": "O'Brien \"VIP\"", "tags": ["a", "b"]})",
    R"({"job": "ship_upload", "attempt": 1, "args": [42, null]})",
    R"({})",
    R"({"path": "C:\\labels\\out.pdf"})",
    R"({"city": "Zürich", "items": [{"id": 1}, {"id": 2}]})",
    R"({"reason": "line1\nline2"})",
    R"({"amount": 1999, "currency": "EUR", "paid": false})"};
constexpr std::array<const char*, 6> kQueues = {"default", "mailers",        "ship_upload",
                                                "billing", "catalog_import", "low"};
constexpr std::array<const char*, 5> kCarriers = {"dhl", "ups", "fedex", "la_poste", "royal_mail"};
constexpr std::array<const char*, 5> kRoles = {"owner", "admin", "member", "viewer", "billing"};
constexpr std::array<const char*, 6> kTags = {
    "{summer,sale}", "{new}", "{}", "{\"gift wrap\",eco}", "{clearance,\"last one\"}", "{b2b}"};
constexpr std::array<const char*, 6> kLikes = {"%boot%", "%Mug%",    "%eco%",
                                               "Gift%",  "%100\\%%", "%_x%"};
constexpr std::array<const char*, 6> kActions = {"order.created",     "invoice.paid",
                                                 "member.invited",    "job.failed",
                                                 "shipment.labelled", "catalog.imported"};
constexpr std::array<const char*, 4> kDomains = {"example.com", "acme.test", "shop.example.org",
                                                 "mail.example.net"};
// What broken clients pass for a uuid: 22P02 "invalid input syntax for type uuid".
constexpr std::array<const char*, 5> kBadUuids = {"", "undefined", "null", "not-a-uuid", "12345"};

bool IsUnquotedType(char type) {
  return type == 'I' || type == 'N' || type == 'M' || type == 'B' || type == 'i';
}

// ---------------------------------------------------------------------------------------------
// Sessions.

enum class OpKind : uint8_t {
  kConnectionReceived,
  kConnectionAuthorized,
  kBegin,
  kCommit,
  kRollback,
  kSavepoint,
  kRelease,
  kRollbackToSavepoint,
  kContext,
  kStatement,
  kUtility,
  kDisconnect,
};

struct Op {
  OpKind kind;
  uint8_t arg = 0;             // kContext: ContextStyle; kStatement: 1 = prefix "SET LOCAL ...; "
  uint16_t shape = 0;          // kStatement: shape index
  const char* text = nullptr;  // kUtility: the statement
};

struct Session {
  const Profile* profile = nullptr;
  std::string id;          // "6b02db28.1f9c"
  std::string start_text;  // session_start: "2026-11-22 12:08:08 UTC"
  std::string host;        // remote_host
  std::string port;        // remote_port, empty for Unix sockets
  std::string app;         // application_name, empty when none
  std::string comment;     // trailing SQL comment of the current unit, with a leading ' '
  int64_t start_ms = 0;
  uint32_t pid = 0;
  uint32_t backend = 0;  // backend id (the "3" of vxid "3/450")
  uint32_t lxid = 0;     // local transaction id of the current transaction
  uint64_t xid = 0;      // top transaction id, 0 until the transaction writes
  uint64_t line_num = 0;
  int64_t lines_left = 0;  // budget; the session disconnects at the next unit boundary
  bool in_block = false;   // inside BEGIN ... COMMIT
  bool in_xact = false;    // a transaction (explicit or implicit) is open
  bool aborted = false;
  bool context_set = false;  // for ContextStyle::kStale
  bool closed = false;
  uint32_t tenant = 0;          // tenant whose data the unit touches
  uint32_t context_tenant = 0;  // tenant the unit puts in the context (rarely a different one)
  std::vector<Op> ops;
  size_t next_op = 0;
  // The current transaction's row changes (JsonLogOptions::changes): action I/U/D, table, id.
  struct RowChange {
    char action;
    TableId table;
    uint64_t id;
  };
  std::vector<RowChange> changes;
};

// Fields of one jsonlog line besides the per-session ones.
struct Line {
  enum class Vxid : uint8_t { kNone, kCurrent, kIdle };
  std::string_view severity = "LOG";
  std::string_view state_code;
  std::string_view message;
  std::string_view detail;
  std::string_view hint;
  std::string_view context;
  std::string_view statement;
  bool has_statement = false;
  uint64_t cursor_position = 0;
  std::string_view ps;
  Vxid vxid = Vxid::kCurrent;
  uint64_t txid = 0;
  bool with_user = true;
  bool with_app = true;
  std::string_view backend_type = "client backend";
};

class Generator {
 public:
  explicit Generator(const JsonLogOptions& options)
      : options_(options),
        rng_(options.seed),
        change_rng_(options.seed ^ 0x5eed5eed5eedULL),
        clock_(1795334400000LL),  // 2026-11-22 08:00:00 UTC
        catalog_(options.seed) {
    for (int i = 0; i < 400; ++i) {
      std::string uuid;
      AppendUuid(uuid, (rng_.Next() & 0xffffffffffff0fffULL) | 0x4000ULL,
                 (rng_.Next() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL);
      tenants_.push_back(std::move(uuid));
    }
    for (int i = 0; i < 256; ++i) {
      const int64_t sec = 1795334400LL - static_cast<int64_t>(rng_.Below(uint64_t{90} * 86400));
      std::string ts = FormatSeconds(sec);
      ts.push_back('.');
      AppendPadded(ts, rng_.Below(1000000), 6);
      ts += "+00";
      timestamps_.push_back(std::move(ts));
    }
    double total = 0;
    for (const Profile& p : kProfiles) total += p.weight;
    double acc = 0;
    for (const Profile& p : kProfiles) {
      acc += p.weight / total;
      profile_cdf_.push_back(acc);
      comments_.push_back(BuildComments(p));
    }
    average_session_lines_ = std::max<int64_t>(
        8, static_cast<int64_t>(options.lines / std::max<uint64_t>(1, options.sessions)));
    concurrency_ = static_cast<size_t>(std::clamp<uint64_t>(options.sessions / 15, 1, 200));
    next_pid_ = 4000 + static_cast<uint32_t>(rng_.Below(4000));
    next_lxid_.assign(concurrency_ + 8, 0);
    for (auto& v : next_lxid_) v = 1 + static_cast<uint32_t>(rng_.Below(500));
    for (size_t i = next_lxid_.size(); i > 0; --i) {
      free_backends_.push_back(static_cast<uint32_t>(i + 2));
    }
    next_xid_ = 700 + rng_.Below(100000);
    used_shapes_.assign(catalog_.size(), false);
  }

  // Writes the log to `out`. Returns false when writing fails.
  bool Run(std::FILE* out) {
    out_ = out;
    buf_.reserve(kFlushBytes + 65536);
    // Ramp up: connections open over the first few thousand lines, not all at once.
    const size_t initial = std::max<size_t>(1, concurrency_ / 4);
    while (sessions_.size() < initial && started_ < options_.sessions) StartSession();
    while (written_ < options_.lines) {
      if (sessions_.empty() ||
          (sessions_.size() < concurrency_ && started_ < options_.sessions && rng_.Chance(0.05))) {
        StartSession();
      }
      const size_t i = rng_.Below(sessions_.size());
      Step(sessions_[i]);
      if (sessions_[i].closed) {
        free_backends_.push_back(sessions_[i].backend);
        if (started_ < options_.sessions || sessions_.size() == 1) {
          sessions_[i] = NewSession();
        } else {
          sessions_[i] = std::move(sessions_.back());
          sessions_.pop_back();
        }
      }
      if (buf_.size() >= kFlushBytes && !Flush()) return false;
    }
    return Flush();
  }

  [[nodiscard]] uint64_t written() const { return written_; }
  [[nodiscard]] uint64_t bytes() const { return bytes_; }
  [[nodiscard]] uint64_t sessions_started() const { return started_; }
  [[nodiscard]] size_t shape_count() const { return catalog_.size(); }
  [[nodiscard]] uint64_t change_lines() const { return change_lines_; }
  [[nodiscard]] size_t shapes_used() const {
    size_t n = 0;
    for (bool b : used_shapes_) n += b;
    return n;
  }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;

  bool Flush() {
    if (!changes_buf_.empty()) {
      const bool ok = std::fwrite(changes_buf_.data(), 1, changes_buf_.size(), options_.changes) ==
                      changes_buf_.size();
      changes_buf_.clear();
      if (!ok) return false;
    }
    if (buf_.empty()) return true;
    const bool ok = std::fwrite(buf_.data(), 1, buf_.size(), out_) == buf_.size();
    bytes_ += buf_.size();
    buf_.clear();
    return ok;
  }

  std::vector<std::string> BuildComments(const Profile& p) {
    std::vector<std::string> out;
    switch (p.comments) {
      case CommentStyle::kNone:
        break;
      case CommentStyle::kRailsSqlcommenter: {
        static const char* const kControllers[] = {"orders",  "invoices",  "catalog_items",
                                                   "members", "shipments", "dashboard"};
        static const char* const kActionsRails[] = {"index", "show", "create", "update", "destroy"};
        for (const char* c : kControllers) {
          for (const char* a : kActionsRails) {
            const std::string route =
                std::string("/") + c +
                (std::string_view(a) == "index" || std::string_view(a) == "create" ? "" : "/:id");
            out.push_back(std::string(" /*action='") + a + "',application='Shop',controller='" + c +
                          "',framework='rails',lane='web',route='" + UrlEncode(route) + "'*/");
          }
        }
        break;
      }
      case CommentStyle::kJobSqlcommenter:
        for (const char* path : p.code_paths) {
          if (path == nullptr) continue;
          const bool rake = std::string_view(path).substr(0, 4) == "lib/";
          out.push_back(std::string(" /*code_path='") + UrlEncode(path) + "'," +
                        (rake ? "job='" : "lane='") + p.lane + "'*/");
        }
        break;
      case CommentStyle::kMarginalia:
        for (const char* c : {"orders", "members", "reports"}) {
          out.push_back(std::string(" /*application:Shop,controller:") + c + ",action:index*/");
        }
        break;
      case CommentStyle::kNodeSqlcommenter:
        for (const char* r :
             {"/api/v1/catalog", "/api/v1/catalog/:sku", "/api/v1/orders", "/api/v1/members/:id"}) {
          out.push_back(std::string(" /*framework='express%404.18.2',route='") + UrlEncode(r) +
                        "'*/");
        }
        break;
    }
    return out;
  }

  const Profile& PickProfile() {
    const double u = rng_.Unit();
    for (size_t i = 0; i < profile_cdf_.size(); ++i) {
      if (u < profile_cdf_[i]) return kProfiles[i];
    }
    return kProfiles.back();
  }

  Session NewSession() {
    ++started_;
    Session s;
    const Profile& p = PickProfile();
    s.profile = &p;
    next_pid_ += 1 + static_cast<uint32_t>(rng_.Below(40));
    if (next_pid_ > 4000000) next_pid_ = 300;
    s.pid = next_pid_;
    s.start_ms = clock_.now_ms();
    const int64_t start_sec = s.start_ms / 1000;
    AppendHex(s.id, static_cast<uint64_t>(start_sec));
    s.id.push_back('.');
    AppendHex(s.id, s.pid);
    s.start_text = FormatSeconds(start_sec) + " UTC";
    if (std::string_view(p.network) == "[local]") {
      s.host = "[local]";
    } else {
      s.host = std::string(p.network) + std::to_string(2 + rng_.Below(60));
      s.port = std::to_string(32768 + rng_.Below(28000));
    }
    if (p.app_prefix[0] != '\0') {
      s.app = p.app_prefix;
      if (p.app_count > 1) s.app += std::to_string(rng_.Below(static_cast<uint64_t>(p.app_count)));
    }
    s.backend = free_backends_.back();
    free_backends_.pop_back();
    s.lines_left =
        average_session_lines_ / 5 +
        static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(average_session_lines_ * 8 / 5 + 1)));
    s.ops.push_back({OpKind::kConnectionReceived});
    s.ops.push_back({OpKind::kConnectionAuthorized});
    for (const char* u : p.on_connect) {
      if (u != nullptr) s.ops.push_back({OpKind::kUtility, 0, 0, u});
    }
    return s;
  }

  void StartSession() { sessions_.push_back(NewSession()); }

  uint32_t PickTenant() {
    // A few big tenants and a long tail.
    return static_cast<uint32_t>(rng_.Skewed(tenants_.size()));
  }

  ContextStyle PickContext(const Profile& p) {
    double u = rng_.Unit();
    for (const auto& [style, w] : p.contexts) {
      if (u < w) return style;
      u -= w;
    }
    return p.contexts[0].first;
  }

  Category PickCategory(const Profile& p) {
    double u = rng_.Unit();
    for (size_t c = 0; c < kCategoryCount; ++c) {
      if (u < p.categories[c]) return static_cast<Category>(c);
      u -= p.categories[c];
    }
    return kRead;
  }

  void PushStatements(Session& s, int n, uint8_t arg = 0) {
    const Profile& p = *s.profile;
    for (int i = 0; i < n; ++i) {
      s.ops.push_back({OpKind::kStatement, i == 0 ? arg : uint8_t{0},
                       catalog_.Pick(rng_, PickCategory(p), p.focus)});
    }
  }

  // Plans the next unit of work (or the disconnection) into s.ops.
  void PlanUnit(Session& s) {
    const Profile& p = *s.profile;
    s.ops.clear();
    s.next_op = 0;
    if (s.lines_left <= 0) {
      s.ops.push_back({OpKind::kDisconnect});
      return;
    }
    if (p.pool_reset > 0 && rng_.Chance(p.pool_reset)) {
      s.ops.push_back({OpKind::kUtility, 0, 0, rng_.Chance(0.7) ? "DISCARD ALL" : "RESET ALL"});
    }
    s.tenant = PickTenant();
    s.context_tenant = rng_.Chance(0.01) ? PickTenant() : s.tenant;  // the cross-tenant bug
    const auto& comments = comments_[static_cast<size_t>(&p - kProfiles.data())];
    s.comment = comments.empty() || rng_.Chance(0.2) ? std::string()
                                                     : comments[rng_.Skewed(comments.size())];
    ContextStyle style = PickContext(p);
    bool txn = rng_.Chance(p.txn);
    if (style == ContextStyle::kSetLocal || style == ContextStyle::kSetConfigLocal) txn = true;
    if (style == ContextStyle::kSetConfigLocalAutocommit ||
        style == ContextStyle::kSetLocalAutocommit || style == ContextStyle::kMultiStatement) {
      txn = false;
    }
    if (style == ContextStyle::kStale) {
      if (s.context_set) style = ContextStyle::kNone;
      s.context_set = true;
    }
    if (style == ContextStyle::kSetConfigLocalAutocommit) {
      // A job that believes set_config(..., true) lasts for its statements.
      style = ContextStyle::kSetConfigLocal;
    } else if (style == ContextStyle::kSetLocalAutocommit) {
      style = ContextStyle::kSetLocal;
    }
    if (p.user == std::string_view("postgres") && rng_.Chance(0.1)) {
      s.ops.push_back(
          {OpKind::kUtility, 0, 0, rng_.Chance(0.5) ? "RESET ROLE" : "SET ROLE app_role"});
    }
    if (txn) s.ops.push_back({OpKind::kBegin});
    if (style == ContextStyle::kMultiStatement) {
      PushStatements(s, 1 + static_cast<int>(rng_.Below(3)), 1);
      return;
    }
    if (style != ContextStyle::kNone) {
      s.ops.push_back({OpKind::kContext, static_cast<uint8_t>(style)});
    }
    PushStatements(s, 1 + static_cast<int>(rng_.Below(txn ? 6 : 3)));
    if (txn) {
      if (rng_.Chance(p.savepoint)) {
        s.ops.push_back({OpKind::kSavepoint});
        PushStatements(s, 1 + static_cast<int>(rng_.Below(2)));
        s.ops.push_back({rng_.Chance(0.3) ? OpKind::kRollbackToSavepoint : OpKind::kRelease});
        PushStatements(s, static_cast<int>(rng_.Below(2)));
      }
      s.ops.push_back({rng_.Chance(p.rollback) ? OpKind::kRollback : OpKind::kCommit});
    } else if (s.profile == &kProfiles[2] && rng_.Chance(0.05)) {
      // ship_upload's stray COMMIT outside a transaction: WARNING 25P01.
      s.ops.push_back({OpKind::kUtility, 0, 0, "COMMIT"});
    }
  }

  void Step(Session& s) {
    if (s.next_op >= s.ops.size()) PlanUnit(s);
    const Op op = s.ops[s.next_op++];
    switch (op.kind) {
      case OpKind::kConnectionReceived:
        ConnectionReceived(s);
        break;
      case OpKind::kConnectionAuthorized:
        ConnectionAuthorized(s);
        break;
      case OpKind::kBegin:
        Utility(s, "BEGIN", "BEGIN");
        break;
      case OpKind::kCommit:
        Utility(s, "COMMIT", "COMMIT");
        break;
      case OpKind::kRollback:
        Utility(s, "ROLLBACK", "ROLLBACK");
        break;
      case OpKind::kSavepoint:
        Utility(s, SavepointName(s, "SAVEPOINT "), "SAVEPOINT");
        break;
      case OpKind::kRelease:
        Utility(s, SavepointName(s, "RELEASE SAVEPOINT "), "RELEASE");
        break;
      case OpKind::kRollbackToSavepoint:
        Utility(s, SavepointName(s, "ROLLBACK TO SAVEPOINT "), "ROLLBACK");
        break;
      case OpKind::kContext:
        Context(s, static_cast<ContextStyle>(op.arg));
        break;
      case OpKind::kStatement:
        Statement(s, op.shape, op.arg == 1);
        break;
      case OpKind::kUtility:
        Utility(s, op.text, UtilityTag(op.text));
        break;
      case OpKind::kDisconnect:
        Disconnect(s);
        break;
    }
  }

  std::string SavepointName(const Session& s, const char* verb) {
    std::string out = verb;
    out += s.profile->extended > 0.99 ? "sp_1" : "active_record_1";
    return out;
  }

  static std::string_view UtilityTag(std::string_view text) {
    if (text.substr(0, 7) == "DISCARD") return "DISCARD ALL";
    if (text.substr(0, 5) == "RESET") return "RESET";
    if (text.substr(0, 6) == "COMMIT") return "COMMIT";
    return "SET";
  }

  [[nodiscard]] std::string_view IdlePs(const Session& s) const {
    if (!s.in_block) return "idle";
    return s.aborted ? "idle in transaction (aborted)" : "idle in transaction";
  }

  // Starts the implicit transaction a statement runs in, unless one is open.
  void StartTransaction(Session& s) {
    if (s.in_xact) return;
    s.in_xact = true;
    s.lxid = next_lxid_[s.backend - 3]++;
    s.xid = 0;
  }

  void EndTransaction(Session& s, bool committed) {
    if (committed) WriteChanges(s);
    s.changes.clear();
    s.in_xact = false;
    s.in_block = false;
    s.aborted = false;
    s.xid = 0;
  }

  // The committed transaction's row changes, as wal2json format-version 2 writes them; committed
  // just after the line that ended it (log times are milliseconds).
  void WriteChanges(Session& s) {
    if (options_.changes == nullptr || s.changes.empty() || s.xid == 0) return;
    std::string& out = changes_buf_;
    std::string ts;
    clock_.AppendTimestamp(ts);  // "2026-11-22 12:08:08.403 UTC"
    ts.resize(ts.size() - 4);
    AppendPadded(ts, 500 + change_rng_.Below(400), 3);  // microseconds after the millisecond
    ts += "+00";
    auto head = [&](char action) {
      out += "{\"action\":\"";
      out.push_back(action);
      out += "\",\"xid\":";
      AppendU64(out, s.xid);
      out += ",\"timestamp\":\"";
      out += ts;
      out += "\"";
    };
    head('B');
    out += "}\n";
    for (const Session::RowChange& c : s.changes) {
      head(c.action);
      out += ",\"schema\":\"public\",\"table\":\"";
      out += kTableNames[c.table];
      out += "\"";
      std::string id;
      AppendU64(id, c.id);
      if (c.action != 'D') {
        out += ",\"columns\":[{\"name\":\"id\",\"type\":\"bigint\",\"value\":" + id +
               "},{\"name\":\"tenant_id\",\"type\":\"uuid\",\"value\":\"" +
               tenants_[s.tenant] + "\"}]";
      }
      if (c.action != 'I') {
        out += ",\"identity\":[{\"name\":\"id\",\"type\":\"bigint\",\"value\":" + id + "}]";
      }
      out += "}\n";
    }
    head('C');
    out += "}\n";
    change_lines_ += s.changes.size() + 2;
  }

  void AssignXid(Session& s) {
    if (s.xid == 0) s.xid = next_xid_++;
  }

  // The statement text as the client sends it: optional trailing comment and ';'.
  void FinishSql(const Session& s, std::string& sql) {
    sql += s.comment;
    if (s.profile->semicolon) sql.push_back(';');
  }

  void ConnectionReceived(Session& s) {
    msg_ = "connection received: host=";
    msg_ += s.host;
    if (!s.port.empty()) {
      msg_ += " port=";
      msg_ += s.port;
    }
    Line l;
    l.message = msg_;
    l.ps = "";
    l.vxid = Line::Vxid::kNone;
    l.with_user = false;
    l.with_app = false;
    l.backend_type = "not initialized";
    Emit(s, l);
  }

  void ConnectionAuthorized(Session& s) {
    StartTransaction(s);  // InitPostgres() runs in a transaction
    msg_ = "connection authorized: user=";
    msg_ += s.profile->user;
    msg_ += " database=app_production";
    if (!s.app.empty()) {
      msg_ += " application_name=";
      msg_ += s.app;
    }
    Line l;
    l.message = msg_;
    l.ps = "authentication";
    l.with_app = false;  // application_name is applied after authentication
    Emit(s, l);
    EndTransaction(s, /*committed=*/false);
  }

  void Disconnect(Session& s) {
    const int64_t ms = clock_.now_ms() - s.start_ms;
    msg_ = "disconnection: session time: ";
    AppendU64(msg_, static_cast<uint64_t>(ms / 3600000));
    msg_.push_back(':');
    AppendPadded(msg_, static_cast<uint64_t>(ms / 60000 % 60), 2);
    msg_.push_back(':');
    AppendPadded(msg_, static_cast<uint64_t>(ms / 1000 % 60), 2);
    msg_.push_back('.');
    AppendPadded(msg_, static_cast<uint64_t>(ms % 1000), 3);
    msg_ += " user=";
    msg_ += s.profile->user;
    msg_ += " database=app_production host=";
    msg_ += s.host;
    if (!s.port.empty()) {
      msg_ += " port=";
      msg_ += s.port;
    }
    Line l;
    l.message = msg_;
    l.ps = "idle";
    l.vxid = Line::Vxid::kNone;
    Emit(s, l);
    s.closed = true;
  }

  // A simple-protocol utility statement (transaction control, SET, RESET, DISCARD).
  void Utility(Session& s, std::string_view text, std::string_view tag) {
    const bool stray_commit = tag == "COMMIT" && !s.in_block;
    StartTransaction(s);
    sql_ = text;
    if (s.profile->semicolon) sql_.push_back(';');
    msg_ = "statement: ";
    msg_ += sql_;
    Line l;
    l.message = msg_;
    l.ps = IdlePs(s);
    l.txid = s.xid;
    Emit(s, l);
    if (tag == "BEGIN") {
      s.in_block = true;
      return;
    }
    if (stray_commit) {
      Line w;
      w.severity = "WARNING";
      w.state_code = "25P01";
      w.message = "there is no transaction in progress";
      w.ps = "COMMIT";
      Emit(s, w);
    }
    if (tag == "COMMIT" || (tag == "ROLLBACK" && text.find(" TO ") == std::string_view::npos) ||
        !s.in_block) {
      EndTransaction(s, /*committed=*/tag == "COMMIT" && !s.aborted);
    } else if (tag == "ROLLBACK") {
      s.aborted = false;  // ROLLBACK TO SAVEPOINT leaves the transaction usable
    }
  }

  // Sets the tenant context the way `style` does.
  void Context(Session& s, ContextStyle style) {
    const std::string& tenant = tenants_[s.context_tenant];
    StartTransaction(s);
    const bool extended =
        (style == ContextStyle::kSetConfigLocal || style == ContextStyle::kSetConfigSession) &&
        rng_.Chance(s.profile->extended);
    std::string_view tag = "SET";
    detail_.clear();
    switch (style) {
      case ContextStyle::kSetLocal:
        sql_ = "SET LOCAL app.current_tenant_id = '" + tenant + "'";
        break;
      case ContextStyle::kSetConfigLocal:
      case ContextStyle::kSetConfigSession: {
        const char* local = style == ContextStyle::kSetConfigLocal ? "true" : "false";
        tag = "SELECT";
        if (extended) {
          sql_ = std::string("SELECT set_config('app.current_tenant_id', $1, ") + local + ")";
          detail_ = "parameters: $1 = '" + tenant + "'";
        } else {
          sql_ = "SELECT set_config('app.current_tenant_id', '" + tenant + "', " + local + ")";
        }
        break;
      }
      case ContextStyle::kEmpty:
        sql_ = "SET app.current_tenant_id = ''";
        break;
      default:
        sql_ = rng_.Chance(0.8) ? "SET app.current_tenant_id = '" + tenant + "'"
                                : "SET app.current_tenant_id TO '" + tenant + "'";
        break;
    }
    if (tag == "SELECT") sql_ += s.comment;
    if (s.profile->semicolon) sql_.push_back(';');
    msg_ = extended ? "execute <unnamed>: " : "statement: ";
    msg_ += sql_;
    Line l;
    l.message = msg_;
    l.detail = detail_;
    l.ps = extended ? tag : IdlePs(s);
    l.txid = s.xid;
    Emit(s, l);
    if (style == ContextStyle::kSetLocal && !s.in_block) {
      Line w;
      w.severity = "WARNING";
      w.state_code = "25P01";
      w.message = "SET LOCAL can only be used in transaction blocks";
      w.ps = "SET";
      Emit(s, w);
    }
    if (!s.in_block) EndTransaction(s, /*committed=*/true);
  }

  // Writes the value of a parameter of `type` into val_; returns false for NULL.
  bool Value(char type, const Session& s) {
    val_.clear();
    if (type >= 'a' && type <= 'z') {
      if (rng_.Chance(0.3)) return false;
      type = static_cast<char>(type - 'a' + 'A');
    }
    switch (type) {
      case 'T':
        val_ = tenants_[s.tenant];
        break;
      case 'U':
        AppendUuid(val_, rng_.Next(), rng_.Next());
        break;
      case 'I':
        AppendU64(val_, 1 + rng_.Below(5000000));
        break;
      case 'N':
        AppendU64(val_, 1 + rng_.Below(100));
        break;
      case 'M':
        AppendU64(val_, 100 + rng_.Below(500000));
        break;
      case 'S':
        val_ = rng_.Pick(kStatuses);
        break;
      case 'X':
        val_ = kTexts[rng_.Skewed(kTexts.size())];
        break;
      case 'D':
        val_ = timestamps_[rng_.Below(timestamps_.size())];
        break;
      case 'J':
        val_ = rng_.Pick(kJsons);
        break;
      case 'A': {
        val_.push_back('{');
        const uint64_t n = 1 + rng_.Below(5);
        for (uint64_t i = 0; i < n; ++i) {
          if (i) val_.push_back(',');
          AppendU64(val_, 1 + rng_.Below(5000000));
        }
        val_.push_back('}');
        break;
      }
      case 'B':
        val_ = rng_.Chance(0.5) ? "true" : "false";
        break;
      case 'K':
        val_ = "REF-";
        AppendPadded(val_, rng_.Below(1000000), 6);
        break;
      case 'E':
        val_ = "user";
        AppendU64(val_, rng_.Below(100000));
        val_.push_back('@');
        val_ += rng_.Pick(kDomains);
        break;
      case 'Q':
        val_ = rng_.Pick(kQueues);
        break;
      case 'W':
        val_ = "worker-";
        AppendU64(val_, rng_.Below(32));
        val_.push_back(':');
        AppendU64(val_, 1000 + rng_.Below(60000));
        break;
      case 'V':
        val_ = "INV-2026-";
        AppendPadded(val_, rng_.Below(1000000), 6);
        break;
      case 'C':
        val_ = rng_.Pick(kCarriers);
        break;
      case 'R':
        val_ = rng_.Pick(kRoles);
        break;
      case 'G':
        val_ = rng_.Pick(kTags);
        break;
      case 'L':
        val_ = rng_.Pick(kLikes);
        break;
      case 'Z':
        val_ = rng_.Pick(kActions);
        break;
      default:
        val_ = "?";
        break;
    }
    return true;
  }

  // Renders `shape` into sql_ (and detail_ for the extended protocol). The parameter at
  // `bad_param` (if >= 0) gets a malformed uuid; its literal's offset in sql_ goes to *bad_offset.
  void Render(const Shape& shape, const Session& s, bool extended, int bad_param,
              const char* bad_value, size_t* bad_offset) {
    detail_.clear();
    for (size_t i = 0; i < shape.params.size(); ++i) {
      sql_ += shape.text[i];
      bool present;
      if (static_cast<int>(i) == bad_param) {
        val_ = bad_value;
        present = true;
      } else {
        present = Value(shape.params[i], s);
      }
      if (extended) {
        sql_.push_back('$');
        AppendU64(sql_, i + 1);
        detail_ += i == 0 ? "parameters: $" : ", $";
        AppendU64(detail_, i + 1);
        if (present) {
          detail_ += " = '";
          AppendSqlEscaped(detail_, val_);
          detail_.push_back('\'');
        } else {
          detail_ += " = NULL";
        }
      } else {
        if (static_cast<int>(i) == bad_param) *bad_offset = sql_.size();
        if (!present) {
          sql_ += "NULL";
        } else if (IsUnquotedType(shape.params[i])) {
          sql_ += val_;
        } else {
          sql_.push_back('\'');
          AppendSqlEscaped(sql_, val_);
          sql_.push_back('\'');
        }
      }
    }
    sql_ += shape.text.back();
  }

  enum class Failure : uint8_t { kNone, kUniqueViolation, kPermission, kBadUuid };

  Failure PickFailure(const Session& s, const Shape& shape) {
    // Retried jobs and double submits re-insert existing keys.
    if (shape.plain_insert && rng_.Chance(0.01)) return Failure::kUniqueViolation;
    if (!rng_.Chance(s.profile->error_rate)) return Failure::kNone;
    if (shape.plain_insert && rng_.Chance(0.7)) return Failure::kUniqueViolation;
    if (shape.first_uuid_param >= 0 && rng_.Chance(0.6)) return Failure::kBadUuid;
    // Privilege errors hit the application role only: the audit log and users tables are
    // insert/read-only for it, and now and then a table's GRANT was forgotten.
    if (shape.table == kNoTable || s.profile->user != std::string_view("app_role")) {
      return Failure::kNone;
    }
    if (shape.table != kAuditLog && shape.table != kUsers && !rng_.Chance(0.2)) {
      return Failure::kNone;
    }
    return Failure::kPermission;
  }

  void Statement(Session& s, uint16_t shape_index, bool set_local_prefix) {
    const Shape& shape = catalog_.at(shape_index);
    used_shapes_[shape_index] = true;
    const Profile& p = *s.profile;
    const bool extended = !set_local_prefix && rng_.Chance(p.extended);
    const Failure failure = PickFailure(s, shape);
    const char* bad_value = failure == Failure::kBadUuid ? rng_.Pick(kBadUuids) : nullptr;
    const int bad_param = failure == Failure::kBadUuid ? shape.first_uuid_param : -1;
    StartTransaction(s);

    sql_.clear();
    if (set_local_prefix) {
      sql_ = "SET LOCAL app.current_tenant_id = '" + tenants_[s.context_tenant] + "'; ";
    }
    size_t bad_offset = 0;
    Render(shape, s, extended, bad_param, bad_value, &bad_offset);
    FinishSql(s, sql_);

    if (failure == Failure::kBadUuid && extended) {
      // The value fails in Bind: no "execute" line, only the ERROR.
      msg_ = "invalid input syntax for type uuid: \"";
      msg_ += bad_value;
      msg_.push_back('"');
      ctx_ = "unnamed portal parameter $";
      AppendU64(ctx_, static_cast<uint64_t>(bad_param) + 1);
      Line e;
      e.severity = "ERROR";
      e.state_code = "22P02";
      e.message = msg_;
      e.context = ctx_;
      e.statement = sql_;
      e.has_statement = true;
      e.ps = "BIND";
      e.txid = s.xid;
      Emit(s, e);
      Failed(s);
      return;
    }

    msg_.clear();
    if (extended) {
      if (rng_.Chance(p.named)) {
        msg_ = "execute a";
        AppendU64(msg_, shape_index + 1u);
        msg_ += ": ";
      } else {
        msg_ = "execute <unnamed>: ";
      }
    } else {
      msg_ = "statement: ";
    }
    msg_ += sql_;
    Line l;
    l.message = msg_;
    if (extended) l.detail = detail_;
    l.ps = extended ? shape.tag : IdlePs(s);
    l.txid = s.xid;
    Emit(s, l);

    if (failure != Failure::kNone) {
      Line e;
      e.severity = "ERROR";
      e.statement = sql_;
      e.has_statement = true;
      e.ps = shape.tag;
      ctx_.clear();
      switch (failure) {
        case Failure::kUniqueViolation: {
          AssignXid(s);  // the row was inserted into the heap before the index check
          e.state_code = "23505";
          msg_ = "duplicate key value violates unique constraint \"";
          msg_ += kUniqueKeys[shape.table][0];
          msg_.push_back('"');
          // Under RLS the key is not shown; the owner (not forced), BYPASSRLS and superusers
          // see it.
          if (p.user != std::string_view("app_role")) {
            ctx_ = "Key (";
            ctx_ += kUniqueKeys[shape.table][1];
            ctx_ += ")=(";
            ctx_ += tenants_[s.tenant];
            ctx_ += ", REF-";
            AppendPadded(ctx_, rng_.Below(1000000), 6);
            ctx_ += ") already exists.";
            e.detail = ctx_;
          }
          break;
        }
        case Failure::kPermission:
          e.state_code = "42501";
          msg_ = "permission denied for table ";
          msg_ += kTableNames[shape.table];
          break;
        case Failure::kBadUuid:
          e.state_code = "22P02";
          msg_ = "invalid input syntax for type uuid: \"";
          msg_ += bad_value;
          msg_.push_back('"');
          e.cursor_position = CharCount(std::string_view(sql_).substr(0, bad_offset)) + 1;
          break;
        case Failure::kNone:
          break;
      }
      e.message = msg_;
      e.txid = s.xid;
      Emit(s, e);
      Failed(s);
      return;
    }

    if (shape.writes) {
      AssignXid(s);
      const char action = shape.tag == "INSERT"   ? 'I'
                          : shape.tag == "UPDATE" ? 'U'
                          : shape.tag == "DELETE" ? 'D'
                                                  : 0;  // SELECT ... FOR UPDATE locks only
      if (action != 0 && options_.changes != nullptr && shape.table != kNoTable) {
        s.changes.push_back({action, shape.table, 1 + change_rng_.Below(5000000)});
      }
    }
    if (rng_.Chance(0.002)) {
      // log_min_duration_statement=1000: a slow statement. After an autocommit simple-protocol
      // statement the transaction has ended (vxid "3/0"); an extended one commits at Sync.
      msg_ = "duration: ";
      AppendU64(msg_, 1000 + rng_.Below(9000));
      msg_.push_back('.');
      AppendPadded(msg_, rng_.Below(1000), 3);
      msg_ += " ms";
      Line d;
      d.message = msg_;
      d.ps = shape.tag;
      const bool ended = !s.in_block && !extended;
      d.vxid = ended ? Line::Vxid::kIdle : Line::Vxid::kCurrent;
      d.txid = ended ? 0 : s.xid;
      Emit(s, d);
    }
    if (!s.in_block) EndTransaction(s, /*committed=*/true);
  }

  // After an ERROR: an explicit transaction is aborted and the unit rolls back.
  void Failed(Session& s) {
    if (!s.in_block) {
      EndTransaction(s, /*committed=*/false);
      return;
    }
    s.aborted = true;
    s.ops.resize(s.next_op);
    s.ops.push_back({OpKind::kRollback});
  }

  void Emit(Session& s, const Line& l) {
    if (written_ >= options_.lines) return;
    ++written_;
    --s.lines_left;
    clock_.Advance(static_cast<int64_t>(rng_.Below(3)));
    std::string& o = buf_;
    o += "{\"timestamp\":\"";
    clock_.AppendTimestamp(o);
    o.push_back('"');
    if (l.with_user) {
      o += ",\"user\":";
      AppendJsonString(s.profile->user, &o);
      o += ",\"dbname\":\"app_production\"";
    }
    o += ",\"pid\":";
    AppendU64(o, s.pid);
    o += ",\"remote_host\":";
    AppendJsonString(s.host, &o);
    if (!s.port.empty()) {
      o += ",\"remote_port\":";
      o += s.port;
    }
    o += ",\"session_id\":\"";
    o += s.id;
    o += "\",\"line_num\":";
    AppendU64(o, ++s.line_num);
    o += ",\"ps\":";
    AppendJsonString(l.ps, &o);
    o += ",\"session_start\":\"";
    o += s.start_text;
    o.push_back('"');
    if (l.vxid != Line::Vxid::kNone) {
      o += ",\"vxid\":\"";
      AppendU64(o, s.backend);
      o.push_back('/');
      AppendU64(o, l.vxid == Line::Vxid::kCurrent ? s.lxid : 0);
      o.push_back('"');
    }
    o += ",\"txid\":";
    AppendU64(o, l.txid);
    o += ",\"error_severity\":";
    AppendJsonString(l.severity, &o);
    if (!l.state_code.empty()) {
      o += ",\"state_code\":";
      AppendJsonString(l.state_code, &o);
    }
    o += ",\"message\":";
    AppendJsonString(l.message, &o);
    if (!l.detail.empty()) {
      o += ",\"detail\":";
      AppendJsonString(l.detail, &o);
    }
    if (!l.hint.empty()) {
      o += ",\"hint\":";
      AppendJsonString(l.hint, &o);
    }
    if (!l.context.empty()) {
      o += ",\"context\":";
      AppendJsonString(l.context, &o);
    }
    if (l.has_statement) {
      o += ",\"statement\":";
      AppendJsonString(l.statement, &o);
      if (l.cursor_position > 0) {
        o += ",\"cursor_position\":";
        AppendU64(o, l.cursor_position);
      }
    }
    if (l.with_app && !s.app.empty()) {
      o += ",\"application_name\":";
      AppendJsonString(s.app, &o);
    }
    o += ",\"backend_type\":";
    AppendJsonString(l.backend_type, &o);
    o += ",\"query_id\":0}\n";
  }

  JsonLogOptions options_;
  Rng rng_;
  Rng change_rng_;  // apart from rng_: the log is the same with or without the change stream
  LogClock clock_;
  ShapeCatalog catalog_;
  std::vector<std::string> tenants_;
  std::vector<std::string> timestamps_;
  std::vector<double> profile_cdf_;
  std::vector<std::vector<std::string>> comments_;  // per profile
  std::vector<Session> sessions_;
  std::vector<uint32_t> next_lxid_;  // per backend id - 3
  std::vector<uint32_t> free_backends_;
  std::vector<bool> used_shapes_;
  int64_t average_session_lines_ = 0;
  size_t concurrency_ = 1;
  uint32_t next_pid_ = 0;
  uint64_t next_xid_ = 0;
  uint64_t started_ = 0;
  uint64_t written_ = 0;
  uint64_t bytes_ = 0;
  std::FILE* out_ = nullptr;
  std::string buf_;
  std::string sql_, msg_, detail_, ctx_, val_;  // scratch, reused for every line
  std::string changes_buf_;
  uint64_t change_lines_ = 0;
};

}  // namespace

bool GenerateJsonLog(const JsonLogOptions& options, std::FILE* out, JsonLogStats* stats) {
  Generator generator(options);
  const bool ok = generator.Run(out);
  if (stats != nullptr) {
    stats->lines = generator.written();
    stats->bytes = generator.bytes();
    stats->sessions = generator.sessions_started();
    stats->shapes = generator.shape_count();
    stats->shapes_used = generator.shapes_used();
    stats->change_lines = generator.change_lines();
  }
  return ok;
}

}  // namespace rls_shadow::bench

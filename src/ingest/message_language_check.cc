// MessageLanguageCheck: translations of the prefixes the classifier needs, taken from
// PostgreSQL 15's message catalogs (postgres-15.mo: "statement: %s", "execute", "duration: %s ms
// statement: %s", "connection authorized: ..."), plus pt_BR.
#include "ingest/message_language_check.h"

#include <cstddef>

namespace rls_shadow::ingest {
namespace {

constexpr std::string_view kEnglishPrefixes[] = {
    "statement: ", "execute ", "duration: ", "parse ", "bind ", "connection ", "disconnection: ",
};

constexpr std::string_view kTranslatedPrefixes[] = {
    // "statement: "
    "Anweisung: ",
    "sentencia: ",
    "instruction : ",
    "istruzione: ",
    "instrução: ",
    "文: ",
    "ოპერატორი: ",
    "명령 구문: ",
    "оператор: ",
    "sats: ",
    "语句: ",
    // "execute "
    "Ausführen ",
    "ejecutar ",
    "exécute ",
    "esecuzione di ",
    "実行 ",
    "გაშვება ",
    "쿼리실행 ",
    "выполнение ",
    "kör ",
    "виконувати ",
    "执行",
    // "duration: "
    "Dauer: ",
    "duración: ",
    "durée : ",
    "durata: ",
    "期間: ",
    "실행시간: ",
    "продолжительность: ",
    "varaktighet: ",
    "тривалість: ",
    // "connection authorized: "
    "Verbindung autorisiert: ",
    "conexión autorizada: ",
    "connexion autorisée : ",
    "connessione autorizzata: ",
    "подключение авторизовано: ",
    "已授权连接: ",
};

template <size_t N>
bool StartsWithAny(std::string_view text, const std::string_view (&prefixes)[N]) {
  for (std::string_view prefix : prefixes) {
    if (text.starts_with(prefix)) return true;
  }
  return false;
}

// Shortens to at most `limit` bytes without splitting a UTF-8 sequence.
std::string_view Shorten(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

void MessageLanguageCheck::Observe(const LogEvent& event, std::string_view backend_type) {
  if (english_lines_ > 0) return;  // the log is in English; nothing more to learn
  if (event.kind != LogEventKind::kOther) {
    if (event.kind != LogEventKind::kError && event.kind != LogEventKind::kWarning) {
      ++english_lines_;
    }
    return;
  }
  // Only client sessions log statements; csvlog before PG 13 has no backend_type, where a user
  // name marks a client session.
  bool client = backend_type.empty() ? !event.user.empty() : backend_type == "client backend";
  if (!client) return;
  if (StartsWithAny(event.message, kEnglishPrefixes)) {
    ++english_lines_;
  } else if (StartsWithAny(event.message, kTranslatedPrefixes)) {
    if (translated_lines_++ == 0) example_ = Shorten(event.message, 60);
  }
}

std::string MessageLanguageCheck::Warning() const {
  if (english_lines_ > 0 || translated_lines_ == 0) return {};
  return "the server log is written in a translated language (e.g. \"" + example_ +
         "\"), so no statement could be recognised: set lc_messages = 'C' in postgresql.conf, "
         "reload, and analyze the log written after that";
}

}  // namespace rls_shadow::ingest

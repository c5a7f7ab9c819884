#include "controller/report/report_text.hpp"

#include <cmath>
#include <cstdio>
#include <map>

namespace atmo::report {
namespace {

const std::map<std::string_view, std::string_view>& russian() {
  static const std::map<std::string_view, std::string_view> table = {
      {"Daily atmosphere report", "Ежедневный отчёт об атмосфере"},
      {"Venue", "Объект"},
      {"Date", "Дата"},
      {"Time zone", "Часовой пояс"},
      {"Day program", "Программа дня"},
      {"Day parts", "Части дня"},
      {"Zone", "Зона"},
      {"Sense", "Чувство"},
      {"Index", "Индекс"},
      {"In standard", "В стандарте"},
      {"Out of standard", "Вне стандарта"},
      {"No data", "Нет данных"},
      {"Compliance by sense", "Соответствие по чувствам"},
      {"Criteria", "Критерии"},
      {"Criterion", "Критерий"},
      {"Point", "Точка"},
      {"Standard", "Стандарт"},
      {"Out of range", "Вне диапазона"},
      {"Alarm time", "Время тревог"},
      {"Min", "Мин"},
      {"Avg", "Сред"},
      {"Max", "Макс"},
      {"Alarms", "Тревоги"},
      {"Raised", "Поднята"},
      {"Cleared", "Снята"},
      {"Duration", "Длительность"},
      {"Worst value", "Худшее значение"},
      {"still raised at the end of the day", "не снята к концу дня"},
      {"before this day", "до этого дня"},
      {"No alarms.", "Тревог не было."},
      {"Checklist", "Чек-лист"},
      {"Item", "Пункт"},
      {"Confirmed", "Подтверждения"},
      {"never confirmed", "ни разу не подтверждён"},
      {"No checklist items.", "Пунктов чек-листа нет."},
      {"Scene changes", "Смены сцен"},
      {"Time", "Время"},
      {"Scene", "Сцена"},
      {"Who", "Кто"},
      {"No scene changes.", "Смен сцен не было."},
      {"Readings against the standard", "Показания и стандарт"},
      {"no readings", "нет показаний"},
      {"no index stored for this day", "индекс за этот день не записан"},
      {"Generated from", "Источник"},
      {"every", "каждые"},
      {"min", "мин"},
      {"once per day part", "раз за часть дня"},
      {"standard band", "диапазон стандарта"},
      {"per-minute average", "среднее за минуту"},
      {"min–max", "мин–макс"},
      {"sight", "Зрение"},
      {"hearing", "Слух"},
      {"smell", "Обоняние"},
      {"touch", "Осязание"},
      {"taste", "Вкус"},
  };
  return table;
}

}  // namespace

std::string tr(std::string_view lang, std::string_view key) {
  if (lang == "ru") {
    const auto& table = russian();
    if (auto it = table.find(key); it != table.end()) return std::string(it->second);
  }
  return std::string(key);
}

std::string sense_label(std::string_view lang, std::string_view sense) {
  if (lang == "ru") return tr(lang, sense);
  std::string s(sense);
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string format_duration(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buf[48];
  if (seconds < 60 && seconds > 0) {
    std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(seconds));
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(seconds / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld h %02lld min", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds % 3600 / 60));
  }
  return buf;
}

std::string format_percent(std::optional<double> percent) {
  if (!percent || !std::isfinite(*percent)) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", *percent);
  return buf;
}

std::string format_value(double value) {
  if (!std::isfinite(value)) return "—";
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "%.2f", value);
  std::size_t len = n > 0 ? static_cast<std::size_t>(n) : 0;
  while (len > 0 && buf[len - 1] == '0') --len;
  if (len > 0 && buf[len - 1] == '.') --len;
  // "-0.001" rounds to "-0": a sign on zero only confuses.
  const std::string_view text(buf, len);
  return std::string(text == "-0" ? std::string_view("0") : text);
}

}  // namespace atmo::report

// Tests of text/tokenizer.h and text/utf8.h: scikit-learn's analyzer on edge cases (expected
// outputs from scikit-learn 1.2.1 / Python 3.11 build_analyzer(), recorded by hand).
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "text/data_error.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

using textaudit::DataError;
using textaudit::text::analyze;
using textaudit::text::DecodeError;
using textaudit::text::StripAccents;
using textaudit::text::TfidfParams;
using textaudit::text::tokenize;
using Tokens = std::vector<std::string>;

namespace {

struct Case {
  const char* name;
  std::string text;
  TfidfParams params;
  Tokens expected;
};

TfidfParams with_strip(StripAccents s) {
  TfidfParams p;
  p.strip_accents = s;
  return p;
}
TfidfParams no_lowercase() {
  TfidfParams p;
  p.lowercase = false;
  return p;
}

}  // namespace

TEST_CASE("The default tokenizer matches scikit-learn on edge cases", "[text]") {
  const std::vector<Case> cases = {
      {"empty", "", {}, {}},
      {"whitespace only", " \t\n\r\u00a0\u3000 ", {}, {}},
      {"single letters and digits vanish", "a b c I x 1 2", {}, {}},
      {"a combining mark splits a token", "cafe\u0301 nai\u0308ve", {}, {"cafe", "nai", "ve"}},
      {"strip_accents unicode removes combining marks", "cafe\u0301 nai\u0308ve",
       with_strip(StripAccents::kUnicode), {"cafe", "naive"}},
      {"emoji and ZWJ are not word characters", "ok\U0001F600ok \U0001F680\U0001F680 go\u200dgo", {},
       {"ok", "ok", "go", "go"}},
      {"a CJK run is one token", "\u4e2d\u6587\u6587\u672c \u6771\u4eac\u30bf\u30ef\u30fc 2024\u5e74", {},
       {"\u4e2d\u6587\u6587\u672c", "\u6771\u4eac\u30bf\u30ef\u30fc", "2024\u5e74"}},
      {"final sigma", "\u039f\u0394\u039f\u03a3 \u03a3\u039f\u03a6\u0399\u0391\u03a3. \u03a3\u03a3 A\u03a3'B", {},
       {"\u03bf\u03b4\u03bf\u03c2", "\u03c3\u03bf\u03c6\u03b9\u03b1\u03c2", "\u03c3\u03c2", "a\u03c3"}},
      {"dotted capital I lowercases to i + U+0307", "\u0130stanbul D\u0130YARBAKIR I\u0131", {},
       {"stanbul", "di", "yarbakir", "i\u0131"}},
      {"dotted capital I without lowercase", "\u0130stanbul D\u0130YARBAKIR", no_lowercase(),
       {"\u0130stanbul", "D\u0130YARBAKIR"}},
      {"underscores are word characters", "__ _a a_ __init__ _", {}, {"__", "_a", "a_", "__init__"}},
      {"numeric characters are word characters", "x\u00b2 H\u2082O \u00bd\u2160 \u0663\u0664 \uff11\uff12", {},
       {"x\u00b2", "h\u2082o", "\u00bd\u2170", "\u0663\u0664", "\uff11\uff12"}},
      {"apostrophes split", "don't can\u2019t rock'n'roll", {}, {"don", "can", "rock", "roll"}},
      {"strip_accents ascii drops non-ASCII", "Stra\u00dfe caf\u00e9 \u0416\u0416 zero\u200bwidth",
       with_strip(StripAccents::kAscii), {"strae", "cafe", "zerowidth"}},
      {"compatibility forms expand after lowercasing", "\ufb01nance \uff21\uff22\uff23 \u2460\u2461 \u338f \u2116",
       with_strip(StripAccents::kUnicode), {"finance", "abc", "12", "kg", "No"}},
      {"Thai and Devanagari split at marks", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a \u0928\u092e\u0938\u094d\u0924\u0947", {},
       {"\u0e2a\u0e27", "\u0e2a\u0e14", "\u0e04\u0e23", "\u0928\u092e\u0938"}},
      {"titlecase digraphs", "\u01c5emal \u01c8ubljana", {}, {"\u01c6emal", "\u01c9ubljana"}},
      {"capital sharp s lowercases to sharp s", "STRA\u1e9eE Stra\u00dfe", {}, {"stra\u00dfe", "stra\u00dfe"}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(tokenize(c.text, c.params) == c.expected);
  }
}

TEST_CASE("Invalid UTF-8 follows decode_error", "[text]") {
  const std::string doc = "ab\xff" "cd \xe2\x82 ok";
  TfidfParams params;
  SECTION("strict throws DataError naming the byte offset") {
    try {
      tokenize(doc, params);
      FAIL("no exception");
    } catch (const DataError& e) {
      CHECK_THAT(e.what(), Catch::Contains("invalid UTF-8 at byte 2"));
    }
  }
  SECTION("replace inserts U+FFFD, which splits tokens") {
    params.decode_error = DecodeError::kReplace;
    CHECK(tokenize(doc, params) == Tokens{"ab", "cd", "ok"});
  }
  SECTION("ignore drops the bad bytes") {
    params.decode_error = DecodeError::kIgnore;
    CHECK(tokenize(doc, params) == Tokens{"abcd", "ok"});
  }
  CHECK(textaudit::text::find_invalid_utf8(doc) == 2);
  CHECK(textaudit::text::find_invalid_utf8("caf\u00e9 \U0001F600") == std::string::npos);
  CHECK(textaudit::text::find_invalid_utf8("\xed\xa0\x80") == 0);  // a surrogate
  CHECK(textaudit::text::find_invalid_utf8("\xc0\xaf") == 0);      // an overlong '/'
}

TEST_CASE("N-grams follow scikit-learn's order: all unigrams, then bigrams, ...", "[text]") {
  TfidfParams params;
  params.ngram_range = {1, 3};
  CHECK(analyze("The quick brown fox", params) ==
        Tokens{"the", "quick", "brown", "fox", "the quick", "quick brown", "brown fox", "the quick brown",
               "quick brown fox"});
  params.ngram_range = {2, 2};
  CHECK(analyze("one two", params) == Tokens{"one two"});
  CHECK(analyze("one", params).empty());
  params.ngram_range = {3, 4};
  CHECK(analyze("a1 b2 c3", params) == Tokens{"a1 b2 c3"});
}

TEST_CASE("Custom token patterns", "[text]") {
  TfidfParams params;
  SECTION("\\b\\w+\\b keeps single characters, with Unicode \\w") {
    params.token_pattern = R"((?u)\b\w+\b)";
    CHECK(tokenize("a \u00e9 b2 x", params) == Tokens{"a", "\u00e9", "b2", "x"});
  }
  SECTION("\\b\\w\\w\\w+\\b needs three characters") {
    params.token_pattern = R"(\b\w\w\w+\b)";
    CHECK(tokenize("ab abc \u00e9t\u00e9 abcd", params) == Tokens{"abc", "\u00e9t\u00e9", "abcd"});
  }
  SECTION("other patterns run on re2") {
    params.token_pattern = "[a-z]+";
    CHECK(tokenize("Hello, World 42 x", params) == Tokens{"hello", "world", "x"});
    params.token_pattern = R"(\pL+)";
    CHECK(tokenize("caf\u00e9 na\u00efve", params) == Tokens{"caf\u00e9", "na\u00efve"});
  }
  SECTION("one capturing group yields the group") {
    params.token_pattern = R"((\d+)x)";
    CHECK(tokenize("10x 3x 7", params) == Tokens{"10", "3"});
  }
  SECTION("empty matches advance by one character, as re.findall") {
    params.token_pattern = "a*";
    CHECK(tokenize("baa\u00e9", params) == Tokens{"", "aa", "", ""});
  }
  SECTION("bad patterns throw std::invalid_argument") {
    params.token_pattern = "(a)(b)";
    CHECK_THROWS_AS(tokenize("ab", params), std::invalid_argument);
    params.token_pattern = "(unclosed";
    CHECK_THROWS_AS(tokenize("ab", params), std::invalid_argument);
    params.token_pattern = "";
    CHECK_THROWS_AS(tokenize("ab", params), std::invalid_argument);
  }
}

TEST_CASE("Python str.lower and strip_accents helpers", "[text]") {
  using namespace textaudit::text;
  CHECK(to_lower("\u0130") == "i\u0307");
  CHECK(to_lower("\u03a3") == "\u03c3");                // alone: not final
  CHECK(to_lower("A\u03a3") == "a\u03c2");              // final
  CHECK(to_lower("A\u03a3\u0301") == "a\u03c2\u0301");  // a combining mark is case-ignorable
  CHECK(to_lower("\u1e9e\u00df") == "\u00df\u00df");
  CHECK(strip_accents("caf\u00e9", StripAccents::kUnicode) == "cafe");
  CHECK(strip_accents("\u00f8\u00e6\u0131", StripAccents::kUnicode) == "\u00f8\u00e6\u0131");
  CHECK(strip_accents("\u00f8ke", StripAccents::kAscii) == "ke");
  CHECK(strip_accents("\ud55c", StripAccents::kUnicode) == "\u1112\u1161\u11ab");  // Hangul syllable
  CHECK(is_word_char(U'_'));
  CHECK_FALSE(is_word_char(U'\u0301'));
  CHECK_FALSE(is_word_char(U'\u200d'));
  CHECK(is_word_char(U'\u2160'));
  CHECK_FALSE(is_word_char(U'\U00031350'));  // Unicode 15 ideograph, unknown to Python 3.11
}

namespace {

// Byte-at-a-time reference for the default pattern on ASCII text: lowercase, then the maximal
// runs of [A-Za-z0-9_] of at least two bytes.
Tokens reference_ascii_tokens(const std::string& text) {
  Tokens out;
  std::string run;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ' ';
    const bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (word) {
      run.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      if (run.size() >= 2) out.push_back(run);
      run.clear();
    }
  }
  return out;
}

}  // namespace

TEST_CASE("The 16-byte ASCII scanner agrees with a byte-by-byte reference at every chunk boundary", "[text]") {
  // Characters chosen to sit at the edges of the classes: '@' '[' '`' '{' '/' ':' around letters
  // and digits, '_' and '^' around each other.
  const std::string alphabet = "aZz09_AM @[`{/:^-\t\n.";
  std::mt19937 rng(7);
  for (int trial = 0; trial < 3000; ++trial) {
    const std::size_t n = trial % 80;  // every length through 5 chunks, empty included
    std::string text;
    for (std::size_t i = 0; i < n; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
    INFO("text: \"" << text << "\"");
    REQUIRE(tokenize(text) == reference_ascii_tokens(text));
  }
  SECTION("a word running across chunks and to the end") {
    const std::string text = std::string(15, ' ') + std::string(40, 'Q');
    CHECK(tokenize(text) == Tokens{std::string(40, 'q')});
  }
  SECTION("a non-ASCII byte in a later chunk restarts on the Unicode path") {
    CHECK(tokenize("abcdefghij klmnopqrs T\xC3\x89L\xC3\x89 uv") == Tokens{"abcdefghij", "klmnopqrs", "t\xC3\xa9l\xC3\xa9", "uv"});
    TfidfParams strict;
    CHECK_THROWS_AS(tokenize(std::string(40, 'a') + "\xFF", strict), DataError);
  }
  SECTION("lowercase off keeps the case") {
    TfidfParams p;
    p.lowercase = false;
    CHECK(tokenize("Hello WORLD_x 12", p) == Tokens{"Hello", "WORLD_x", "12"});
  }
}

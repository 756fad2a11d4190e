import Testing
import TollgateCore

@Suite("Terminal text")
struct TerminalTextTests {
    /// Each spoofing character or sequence and how it must be shown.
    static let cases: [(value: String, shown: String)] = [
        ("plain text, ünïcödé and emoji 🚀", "plain text, ünïcödé and emoji 🚀"),
        ("erase\u{1B}[2Kline", "erase\\u{1B}[2Kline"),
        ("up\u{1B}[1Aone", "up\\u{1B}[1Aone"),
        ("carriage\rreturn", "carriage\\rreturn"),
        ("new\nrow", "new\\nrow"),
        ("tab\tstop", "tab\\tstop"),
        ("bell\u{07}", "bell\\u{7}"),
        ("nul\u{00}", "nul\\u{0}"),
        ("delete\u{7F}", "delete\\u{7F}"),
        ("c1 csi\u{9B}2K", "c1 csi\\u{9B}2K"),
        ("right-to-left \u{202E}override", "right-to-left \\u{202E}override"),
        ("embedding \u{202A}\u{202B}\u{202C}\u{202D}", "embedding \\u{202A}\\u{202B}\\u{202C}\\u{202D}"),
        ("isolates \u{2066}\u{2067}\u{2068}\u{2069}", "isolates \\u{2066}\\u{2067}\\u{2068}\\u{2069}"),
        ("marks \u{200E}\u{200F}\u{061C}", "marks \\u{200E}\\u{200F}\\u{61C}"),
        ("alice\u{200B}@example.com", "alice\\u{200B}@example.com"),
        ("joiners \u{200C}\u{200D}\u{2060}", "joiners \\u{200C}\\u{200D}\\u{2060}"),
        ("\u{FEFF}bom", "\\u{FEFF}bom"),
        ("soft\u{00AD}hyphen", "soft\\u{AD}hyphen"),
        ("separators \u{2028}\u{2029}", "separators \\u{2028}\\u{2029}"),
        ("tag \u{E0041}", "tag \\u{E0041}"),
        ("hangul filler \u{3164}", "hangul filler \\u{3164}"),
    ]

    @Test("Every control, bidirectional and invisible character is shown as a visible escape", arguments: cases)
    func escape(value: String, shown: String) {
        #expect(TerminalText.escape(value) == shown)
        #expect(!TerminalText.escape(value).unicodeScalars.contains(where: TerminalText.needsEscape))
    }

    @Test("A composed text keeps its line breaks and colour, and loses every other control")
    func sanitize() {
        let styled = "\u{1B}[1;31mREPLACE\u{1B}[0m\nrow\u{1B}[2K\r\u{202E}\n"
        #expect(TerminalText.sanitize(styled) == "\u{1B}[1;31mREPLACE\u{1B}[0m\nrow\\u{1B}[2K\\r\\u{202E}\n")
        #expect(TerminalText.sanitize("\u{1B}[1A") == "\\u{1B}[1A")
        #expect(TerminalText.sanitize("\u{1B}]0;title\u{07}") == "\\u{1B}]0;title\\u{7}")
        #expect(TerminalText.sanitize("just text\n") == "just text\n")
    }
}

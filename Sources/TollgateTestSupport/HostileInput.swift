/// Inputs written to exhaust a parser, shared by the in-process and the end-to-end tests.
public enum HostileInput {
    /// The classic billion-laughs document: nine levels of anchors, each repeating the one before
    /// nine times, so that the last one stands for 9^9 (387,420,489) strings.
    public static let aliasBomb = """
        Resources:
          A: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
          B: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
          C: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
          D: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
          E: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
          F: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
          G: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
          H: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
          I: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]

        """
}

/// The page frame every page shares, as mustache partials `header` and `footer`.
///
/// Every value is written with `{{ }}`, which HTML-escapes it; the templates never use triple
/// braces, since commit messages, names and template values can be hostile.
enum LayoutTemplates {
    static let header = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Tollgate</title>
        <link rel="stylesheet" href="/static/tollgate.css">
        <script src="/static/tollgate.js" defer></script>
        </head>
        <body>
        <header>
        <nav><a href="/">Stacks</a> · <a href="/audit">Audit</a>
        {{#reviewer}} · signed in as <strong id="reviewer">{{reviewer}}</strong>
        <form method="post" action="/sign-out" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="sign-out">Sign out</button></form>
        {{/reviewer}}
        </nav>
        </header>
        <main>
        {{#notice}}<p class="notice" id="notice">{{notice}}</p>{{/notice}}
        {{#problem}}<p class="problem" id="problem">{{problem}}</p>{{/problem}}

        """

    static let footer = """
        </main>
        </body>
        </html>

        """
}

/// A page that could not be shown: the status and what to do.
enum ErrorTemplate {
    static let text = """
        {{> header}}
        <h1>{{heading}}</h1>
        <p id="error">{{message}}</p>
        <p><a href="/">Back to the stacks</a></p>
        {{> footer}}
        """
}

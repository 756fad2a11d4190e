/// `GET /audit`: the audit trail, filtered, with links to download it.
enum AuditTemplate {
    static let text = """
        {{> header}}
        <h1>Audit trail</h1>
        <form method="get" action="/audit">
        <label for="stack">Stack</label> <input type="text" name="stack" id="stack" value="{{stack}}" maxlength="200">
        <label for="actor">Actor</label> <input type="text" name="actor" id="actor" value="{{actor}}" maxlength="200">
        <label for="since">Since</label> <input type="text" name="since" id="since" value="{{since}}" placeholder="2026-01-31" maxlength="40">
        <button type="submit" id="filter">Filter</button>
        </form>
        <p>Download these entries as <a id="csv" href="/audit.csv{{queryString}}">CSV</a> or <a id="json" href="/audit.json{{queryString}}">JSON</a>.</p>
        <table id="audit">
        <thead><tr><th>#</th><th>Time</th><th>Actor</th><th>Action</th><th>Stack</th><th>Change set</th><th>Commit</th><th>Details</th></tr></thead>
        <tbody>
        {{#entries}}
        <tr><td>{{sequence}}</td><td>{{time}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{stack}}</td>
        <td>{{#changeSet}}<a href="/change-sets/{{changeSet}}">{{changeSet}}</a>{{/changeSet}}</td><td><code>{{commit}}</code></td><td>{{details}}</td></tr>
        {{/entries}}
        {{^entries}}<tr><td colspan="8">No entry matches.</td></tr>{{/entries}}
        </tbody>
        </table>
        {{> footer}}
        """
}

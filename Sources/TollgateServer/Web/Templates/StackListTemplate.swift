/// `GET /`: every stack at a glance, with a search box.
enum StackListTemplate {
    static let text = """
        {{> header}}
        <h1>Stacks</h1>
        <form method="get" action="/" role="search">
        <label for="q">Stack name contains</label>
        <input type="search" name="q" id="q" value="{{query}}" maxlength="200">
        <button type="submit" id="search">Search</button>
        </form>
        {{#policy}}
        <p id="policy">Policy in force: revision {{revision}}, commit <code>{{commit}}</code>, put in force by {{actor}} at {{recordedAt}}.
        {{#pendingChangeSet}}Open policy change set: <a href="/change-sets/{{id}}">{{id}}</a> {{status}}.{{/pendingChangeSet}}</p>
        {{/policy}}
        {{^policy}}<p id="policy">No policy is in force yet; an operator runs <code>tollgate init</code>.</p>{{/policy}}
        <table id="stacks">
        <thead><tr><th>Stack</th><th>Status</th><th>Open change set</th><th>Running execution</th><th>Last execution started</th><th>Ended</th><th>Result</th></tr></thead>
        <tbody>
        {{#stacks}}
        <tr data-stack="{{stack}}">
        <td>{{stack}}</td>
        <td class="status">{{status}}{{#storedStatus}} (stored {{storedStatus}}){{/storedStatus}}{{#stalled}} (process gone: apply --resume){{/stalled}}</td>
        <td>{{#changeSet}}<a class="change-set" href="/change-sets/{{changeSet}}">{{changeSet}}</a>{{/changeSet}}{{#failedChangeSet}}<a href="/change-sets/{{failedChangeSet}}">{{failedChangeSet}}</a> (plan failed){{/failedChangeSet}}</td>
        <td>{{running}}</td>
        <td>{{startedAt}}</td>
        <td>{{finishedAt}}</td>
        <td>{{result}}</td>
        </tr>
        {{/stacks}}
        {{^stacks}}<tr><td colspan="7">No stack matches.</td></tr>{{/stacks}}
        </tbody>
        </table>
        {{> footer}}
        """
}

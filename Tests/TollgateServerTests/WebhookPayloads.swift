import Foundation

/// Push payloads shaped as each git host sends them (trimmed to the fields around the ones read),
/// and the headers each host signs them with.
enum WebhookPayloads {
    /// GitHub's `push` event.
    static func github(branch: String, after: String, deleted: Bool = false) -> String {
        """
        {"ref":"refs/heads/\(branch)","before":"0000000000000000000000000000000000000000","after":"\(after)",\
        "repository":{"id":123456,"node_id":"R_kgDOExample","name":"infra","full_name":"octo-org/infra","private":true,\
        "owner":{"name":"octo-org","login":"octo-org"},"default_branch":"main","master_branch":"main"},\
        "pusher":{"name":"carol","email":"carol@example.com"},"sender":{"login":"carol","id":42,"type":"User"},\
        "created":false,"deleted":\(deleted),"forced":false,"base_ref":null,\
        "compare":"https://github.com/octo-org/infra/compare/000000000000...\(after.prefix(12))",\
        "commits":[{"id":"\(after)","tree_id":"\(after)","distinct":true,"message":"rename the web bucket",\
        "timestamp":"2026-01-05T10:00:00+00:00","url":"https://github.com/octo-org/infra/commit/\(after)",\
        "author":{"name":"Carol Outsider","email":"carol@example.com","username":"carol"},\
        "committer":{"name":"Carol Outsider","email":"carol@example.com","username":"carol"},\
        "added":[],"removed":[],"modified":["Stacks/web/template.yaml"]}],\
        "head_commit":{"id":"\(after)","message":"rename the web bucket","timestamp":"2026-01-05T10:00:00+00:00"}}
        """
    }

    /// GitLab's Push Hook.
    static func gitlab(branch: String, after: String) -> String {
        """
        {"object_kind":"push","event_name":"push","before":"0000000000000000000000000000000000000000","after":"\(after)",\
        "ref":"refs/heads/\(branch)","ref_protected":true,"checkout_sha":"\(after)","message":null,"user_id":4,\
        "user_name":"Carol Outsider","user_username":"carol","user_email":"","user_avatar":null,"project_id":15,\
        "project":{"id":15,"name":"infra","description":"","web_url":"https://gitlab.example.com/ops/infra",\
        "git_ssh_url":"git@gitlab.example.com:ops/infra.git","git_http_url":"https://gitlab.example.com/ops/infra.git",\
        "namespace":"ops","visibility_level":0,"path_with_namespace":"ops/infra","default_branch":"main"},\
        "commits":[{"id":"\(after)","message":"rename the web bucket\\n","title":"rename the web bucket",\
        "timestamp":"2026-01-05T10:00:00+00:00","url":"https://gitlab.example.com/ops/infra/-/commit/\(after)",\
        "author":{"name":"Carol Outsider","email":"carol@example.com"},"added":[],"modified":["Stacks/web/template.yaml"],"removed":[]}],\
        "total_commits_count":1,"push_options":{},\
        "repository":{"name":"infra","url":"git@gitlab.example.com:ops/infra.git","description":"",\
        "homepage":"https://gitlab.example.com/ops/infra","visibility_level":0}}
        """
    }

    /// Bitbucket Cloud's `repo:push`; `branch` nil for a push that deleted the branch.
    static func bitbucket(branch: String?, after: String) -> String {
        let new = branch.map {
            """
            {"type":"branch","name":"\($0)","target":{"type":"commit","hash":"\(after)","message":"rename the web bucket\\n",\
            "author":{"type":"author","raw":"Carol Outsider <carol@example.com>"},"date":"2026-01-05T10:00:00+00:00"},\
            "links":{"html":{"href":"https://bitbucket.org/ops/infra/branch/\($0)"}}}
            """
        } ?? "null"
        return """
            {"push":{"changes":[{"old":{"type":"branch","name":"\(branch ?? "main")","target":{"type":"commit",\
            "hash":"0000000000000000000000000000000000000000"}},"new":\(new),"created":false,"forced":false,"closed":\(branch == nil),\
            "commits":[{"type":"commit","hash":"\(after)","message":"rename the web bucket\\n"}],"truncated":false}]},\
            "repository":{"type":"repository","full_name":"ops/infra","name":"infra","uuid":"{5a8e0f1c-0000-4000-8000-000000000001}"},\
            "actor":{"type":"user","display_name":"Carol Outsider","uuid":"{5a8e0f1c-0000-4000-8000-000000000002}"}}
            """
    }
}

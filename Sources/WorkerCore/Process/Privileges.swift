import Glibc

/// Switching a worker process to the Worker's `user` (and `group`) when started as root.
enum Privileges {
    /// Checks that `user` and `group` exist; returns a one-line problem otherwise.
    static func validate(user: String?, group: String?) -> String? {
        if let user, getpwnam(user) == nil { return "user '\(user)' does not exist" }
        if let group, getgrnam(group) == nil { return "group '\(group)' does not exist" }
        return nil
    }

    /// Becomes `user` (and `group`, else the user's primary group). Without root this is only
    /// possible for the current user; anything else is logged and skipped.
    static func drop(to user: String?, group: String?, workerName: String) {
        guard let user else { return }
        guard let account = getpwnam(user) else {
            Log.write("worker[\(workerName)]: user '\(user)' does not exist")
            exit(250)
        }
        let uid = account.pointee.pw_uid
        var gid = account.pointee.pw_gid
        if let group, let entry = getgrnam(group) { gid = entry.pointee.gr_gid }
        guard uid != geteuid() || gid != getegid() else { return }
        guard geteuid() == 0 else {
            Log.write("worker[\(workerName)]: cannot run as user '\(user)': the server was not started as root")
            return
        }
        guard setgid(gid) == 0, initgroups(user, gid) == 0, setuid(uid) == 0 else {
            Log.write("worker[\(workerName)]: cannot switch to user '\(user)': \(String(cString: strerror(errno)))")
            exit(250)
        }
    }
}

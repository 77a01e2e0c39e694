// Placeholder: this example is built with its protocol's issue.
import Glibc
import Workerman

StandardStream.error("HttpServer is not implemented yet\n")
Glibc.exit(1)

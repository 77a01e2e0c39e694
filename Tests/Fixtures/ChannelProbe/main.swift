// Placeholder: the Channel/GlobalData tests' server process, built with their issue.
import Glibc

exit(0)

/* net.c — the network namespace starts with "lo" down; bring it up so localhost works inside. */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helper.h"

int net_loopback_up(struct herr *e)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return herr_fail(e, errno, "open socket for `lo`");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		int err = errno;
		close(s);
		return herr_fail(e, err, "read flags of `lo`");
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		int err = errno;
		close(s);
		return herr_fail(e, err, "bring up `lo`");
	}
	close(s);
	return 0;
}

"""Peak memory of a benchmark's child process, as source code the child runs first."""

# Linux's VmHWM of the child itself (ru_maxrss would carry over the parent's peak through
# fork + exec); ru_maxrss where /proc is not there. Defines ``peak_rss_kib()``.
PEAK_RSS_SOURCE = """
def peak_rss_kib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

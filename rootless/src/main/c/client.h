/* The native client (client.c): jpod-helper runs it when it is started as "jpod". */
#ifndef JPOD_CLIENT_H
#define JPOD_CLIENT_H

int client_main(int argc, char **argv);
/* jpod-helper service-starter: starts the user's service once a command run in-process has ended */
int service_starter_main(int argc, char **argv);

#endif

/* The gSOAP peer of Benchmarks/soap_benchmark.sh: a C SOAP server compiled from coccd's own
 * WSDL, the fastest conventional stack to set coccd beside (the PHP peers show the stack the
 * original product ran on). Like Benchmarks/php-peer/server.php it checks the credentials
 * (MD5, as the old product kept them) and answers the same string coccd answers, so every
 * side does comparable work.
 *
 * Only this file is kept in the repository. The script generates the rest at run time from
 * the WSDL it fetches from the running coccd, in its temp dir (typemap line: cocc = "urn:coccwi"):
 *   wsdl2h -c -x -t typemap.dat -o coccwi.h coccwi.wsdl
 *   soapcpp2 -c -S -L -x -w coccwi.h       -> soapStub.h soapH.h soapC.c soapServer.c *.nsmap
 *   stubs.c: a sender fault for every other operation soapStub.h declares (made with sed)
 *   gcc -O2 server.c stubs.c soapC.c soapServer.c $(pkg-config --cflags --libs gsoap) -lcrypto -lpthread
 * pkg-config matters: libgsoap is built with WITH_IPV6 and WITH_DOM, which change struct soap;
 * compiling without the same flags corrupts memory.
 *
 * Threads the usual gSOAP way: one accept loop, soap_copy of the listening context for each
 * connection and a detached pthread serving it. wrk keeps its connections open, so keep-alive
 * is on with no cap on the requests per connection (the default max_keep_alive of 100 would
 * close every connection after 100 requests, which nginx, coccd and php -S don't do).
 *   server PORT
 */
#include "soapH.h"
#include "peer.nsmap" /* the script copies the generated <service>.nsmap here */
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ORG = "demo";
static const char *const USER = "8001";
static const char *const USER_MD5 = "e10adc3949ba59abbe56e057f20f883e"; /* md5("123456") */
/* Fetched once: EVP_md5() in each call would look the algorithm up under a lock every time. */
static EVP_MD *md5;

/* Constant time over the stored hash, as PHP's hash_equals. */
static int hash_equals(const char *known, const char *given) {
    size_t n = strlen(known);
    if (strlen(given) != n) return 0;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++) diff |= (unsigned char)known[i] ^ (unsigned char)given[i];
    return diff == 0;
}

/* The generated skeleton calls this with the rpc/literal parts; an absent part is NULL. */
int cocc__agentStatus(struct soap *soap, char *orgidentity, char *usertype, char *user,
                      char *pwdtype, char *password, struct cocc__agentStatusResponse *out) {
    (void)soap;
    (void)usertype;
    if (!orgidentity || strcmp(orgidentity, ORG) != 0) {
        out->_return_ = (char *)"|Retuen|2|Retuen|BackMsg_02";
        return SOAP_OK;
    }
    char hash[33] = "";
    const char *pw = password ? password : "";
    size_t n = strlen(pw);
    if (pwdtype && strcmp(pwdtype, "md5") == 0) {
        for (size_t i = 0; i < n && i < 32; i++) hash[i] = (char)(pw[i] >= 'A' && pw[i] <= 'Z' ? pw[i] + 32 : pw[i]);
        if (n > 32) hash[0] = '\0'; /* longer than a hash: can't match */
    } else {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_Digest(pw, n, md, &len, md5, NULL);
        for (unsigned int i = 0; i < len && i < 16; i++) sprintf(hash + 2 * i, "%02x", md[i]);
    }
    if (!user || strcmp(user, USER) != 0 || !hash_equals(USER_MD5, hash)) {
        out->_return_ = (char *)"|Retuen|2|Retuen|BackMsg_03";
        return SOAP_OK;
    }
    out->_return_ = (char *)"|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,";
    return SOAP_OK;
}

static void *serve(void *arg) {
    struct soap *soap = arg;
    soap_serve(soap); /* loops over the connection's requests while keep-alive holds */
    soap_destroy(soap);
    soap_end(soap);
    soap_free(soap); /* closes the socket too */
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    if (!md5) {
        fprintf(stderr, "no MD5 in libcrypto\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a client closing mid-answer must not kill the server */
    struct soap soap;
    soap_init2(&soap, SOAP_IO_KEEPALIVE, SOAP_IO_KEEPALIVE);
    soap.max_keep_alive = 0; /* 0: keep connections open for any number of requests */
    soap.bind_flags = SO_REUSEADDR;
    soap.socket_flags = MSG_NOSIGNAL;
    soap.recv_timeout = 60; /* an idle connection's thread ends after a minute */
    soap.send_timeout = 60;
    if (!soap_valid_socket(soap_bind(&soap, "127.0.0.1", atoi(argv[1]), 1024))) {
        soap_print_fault(&soap, stderr);
        return 1;
    }
    fprintf(stderr, "gsoap peer listening on 127.0.0.1:%s\n", argv[1]);
    for (;;) {
        if (!soap_valid_socket(soap_accept(&soap))) {
            soap_print_fault(&soap, stderr);
            continue;
        }
        struct soap *copy = soap_copy(&soap); /* takes the accepted socket */
        pthread_t tid;
        if (!copy) {
            soap_force_closesock(&soap);
            continue;
        }
        if (pthread_create(&tid, NULL, serve, copy) != 0) {
            soap_free(copy); /* closes the accepted socket */
            continue;
        }
        pthread_detach(tid);
    }
}

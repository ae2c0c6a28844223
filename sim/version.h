/* version.h - purgesim's version, as `purgesim --version` prints it (the model cache keys its
 * images by it too). */
#ifndef PURGESIM_VERSION_H
#define PURGESIM_VERSION_H

#define PURGESIM_VERSION "0.2.0"

#endif
